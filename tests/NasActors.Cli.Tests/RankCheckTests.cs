using System.Text.Json;
using NasActors.Cli.Tests.Observability;

namespace NasActors.Cli.Tests;

/// <summary>`nas rank-check`: shared-weight scores against standalone training on a finished smoke experiment, read-only.</summary>
[Collection(SmokeRunCollection.Name)]
public sealed class RankCheckTests(SmokeRun run)
{
    private static readonly TimeSpan T = TimeSpan.FromMinutes(4);

    /// <summary>Ranks with ties averaged, 1-based.</summary>
    private static double[] Ranks(IReadOnlyList<double> x) =>
        [.. x.Select(v => x.Count(o => o < v) + (x.Count(o => o == v) + 1) / 2.0)];

    private static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var (ma, mb) = (a.Average(), b.Average());
        var cov = a.Zip(b, (x, y) => (x - ma) * (y - mb)).Sum();
        return cov / Math.Sqrt(a.Sum(v => (v - ma) * (v - ma)) * b.Sum(v => (v - mb) * (v - mb)));
    }

    [Fact]
    public void Rank_check_must_correlate_shared_scores_with_standalone_training_and_leave_the_store_as_it_was()
    {
        using var tmp = new TempStore();
        var dir = Path.Combine(run.Store, SmokeRun.Name);
        var before = Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/tb/") && !f.EndsWith("-shm") && !f.EndsWith("-wal"))
            .Select(f => (f, File.GetLastWriteTimeUtc(f))).Order().ToList();
        var output = Path.Combine(tmp.Path, "rank.json");
        var (code, stdout, stderr) = CliProcess.Run(T, "rank-check", SmokeRun.Name, "-n", "5", "--store", run.Store, "--out", output);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("Kendall tau", stdout);
        Assert.Contains("5/5", stdout);

        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        var archs = doc.RootElement.GetProperty("architectures").EnumerateArray().ToList();
        Assert.Equal(5, archs.Count);
        Assert.Equal(5, archs.Select(a => a.GetProperty("architecture").GetRawText()).Distinct().Count());
        var shared = archs.Select(a => a.GetProperty("shared_validation_accuracy").GetDouble()).ToList();
        var alone = archs.Select(a => a.GetProperty("standalone_test_accuracy").GetDouble()).ToList();
        Assert.All(shared.Concat(alone), v => Assert.InRange(v, 0.0, 1.0));
        Assert.True(alone.Distinct().Count() > 1, "every architecture trained to the same accuracy: " + string.Join(", ", alone));
        // Spearman's rho recomputed here from the printed figures: Pearson's r of the tie-averaged ranks.
        Assert.Equal(Pearson(Ranks(shared), Ranks(alone)), doc.RootElement.GetProperty("spearman_rho").GetDouble(), 9);
        Assert.InRange(doc.RootElement.GetProperty("kendall_tau").GetDouble(), -1.0, 1.0);

        var after = Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/tb/") && !f.EndsWith("-shm") && !f.EndsWith("-wal"))
            .Select(f => (f, File.GetLastWriteTimeUtc(f))).Order().ToList();
        Assert.Equal(before, after); // nothing written to the experiment
    }

    [Fact]
    public void Rank_check_must_refuse_bad_input_in_one_line()
    {
        BadInputTests.AssertUserError(CliProcess.Run(T, "rank-check", SmokeRun.Name, "-n", "2", "--store", run.Store), "at least 3 architectures");
        BadInputTests.AssertUserError(CliProcess.Run(T, "rank-check", SmokeRun.Name, "--epochs", "0", "--store", run.Store), "--epochs 0 is not a positive whole number");
        BadInputTests.AssertUserError(CliProcess.Run(T, "rank-check", "no-such", "--store", run.Store), "no experiment 'no-such'");
    }
}
