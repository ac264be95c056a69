using MathNet.Numerics.Statistics;

namespace NasActors.Cli.Reporting;

/// <summary>How well one ranking of the same items agrees with another: Kendall's τ-b and Spearman's ρ.</summary>
internal static class RankCorrelation
{
    /// <summary>Spearman's ρ (Pearson's r of the ranks, ties averaged), by MathNet.Numerics.</summary>
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b) => Correlation.Spearman(a, b);

    /// <summary>
    /// Kendall's τ-b (ties in either list corrected for, as scipy.stats.kendalltau computes it); NaN when a list is
    /// constant. Hand-written: MathNet.Numerics has no Kendall τ, and no other served package does; O(n²) is nothing
    /// for the tens of architectures a rank check retrains.
    /// </summary>
    public static double Kendall(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException("the lists differ in length");
        long concordant = 0, discordant = 0, tiesA = 0, tiesB = 0;
        for (var i = 0; i < a.Count; i++)
            for (var j = i + 1; j < a.Count; j++)
            {
                var da = Math.Sign(a[i] - a[j]);
                var db = Math.Sign(b[i] - b[j]);
                if (da == 0 && db == 0) continue; // tied in both: counts in neither
                if (da == 0) tiesA++;
                else if (db == 0) tiesB++;
                else if (da == db) concordant++;
                else discordant++;
            }
        var denominator = Math.Sqrt((double)(concordant + discordant + tiesA) * (concordant + discordant + tiesB));
        return denominator == 0 ? double.NaN : (concordant - discordant) / denominator;
    }
}
