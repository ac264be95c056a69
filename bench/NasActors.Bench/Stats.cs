namespace NasActors.Bench;

/// <summary>
/// Mean, sample standard deviation and a paired two-sided Student t-test, written out here (no stats package in the
/// build): the Student-t tail is the regularized incomplete beta function, evaluated by the continued fraction of
/// Numerical Recipes (betacf) with Lentz's method.
/// </summary>
internal static class Stats
{
    public static double Mean(IReadOnlyList<double> x) => x.Count == 0 ? double.NaN : x.Average();

    /// <summary>Sample standard deviation (n - 1 in the denominator); NaN below two values.</summary>
    public static double Std(IReadOnlyList<double> x)
    {
        if (x.Count < 2) return double.NaN;
        var m = Mean(x);
        return Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Count - 1));
    }

    /// <summary>Paired t-test of mean(a - b) = 0: t, degrees of freedom, two-sided p. All differences equal: t = ±inf or NaN.</summary>
    public static (double T, int Df, double P) PairedT(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException("paired samples differ in length");
        var d = a.Zip(b, (x, y) => x - y).ToArray();
        var df = d.Length - 1;
        if (df < 1) return (double.NaN, df, double.NaN);
        var sd = Std(d);
        var mean = Mean(d);
        if (sd == 0) return mean == 0 ? (double.NaN, df, 1) : (mean > 0 ? double.PositiveInfinity : double.NegativeInfinity, df, 0);
        var t = mean / (sd / Math.Sqrt(d.Length));
        return (t, df, TwoSidedP(t, df));
    }

    /// <summary>P(|T| >= |t|) for Student's t with <paramref name="df"/> degrees of freedom: I_{df/(df+t^2)}(df/2, 1/2).</summary>
    public static double TwoSidedP(double t, double df) => IncompleteBeta(df / 2, 0.5, df / (df + t * t));

    /// <summary>Regularized incomplete beta I_x(a, b).</summary>
    public static double IncompleteBeta(double a, double b, double x)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) otherwise.
        return x < (a + 1) / (a + b + 2) ? front * BetaCf(a, b, x) / a : 1 - front * BetaCf(b, a, 1 - x) / b;
    }

    private static double BetaCf(double a, double b, double x)
    {
        const double eps = 1e-15, tiny = 1e-300;
        double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
        if (Math.Abs(d) < tiny) d = tiny;
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 10_000; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            var del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < eps) return h;
        }
        return h;
    }

    /// <summary>ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; ~1e-15 relative).</summary>
    private static double LogGamma(double x)
    {
        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        var s = g[0];
        for (var i = 1; i < 9; i++) s += g[i] / (x + i);
        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(s);
    }

    /// <summary>
    /// Known values of the two-sided t tail (t tables; df = 1 is the Cauchy: p = 1 - 2 atan(t) / pi). Returns a message
    /// per mismatch; empty when all hold.
    /// </summary>
    public static IReadOnlyList<string> SelfCheck()
    {
        var failures = new List<string>();
        void Check(double t, double df, double expected, double tol)
        {
            var p = TwoSidedP(t, df);
            if (!(Math.Abs(p - expected) <= tol)) failures.Add($"t = {t}, df = {df}: p = {p:G6}, expected {expected:G6}");
        }
        Check(2.776, 4, 0.05, 2e-4);
        Check(2.571, 5, 0.05, 2e-4);
        Check(4.604, 4, 0.01, 1e-4);
        Check(1.0, 1, 0.5, 1e-12);
        Check(3.0, 1, 1 - 2 * Math.Atan(3.0) / Math.PI, 1e-12);
        Check(0, 7, 1, 1e-12);
        Check(1.96, 1e6, 0.04999579, 1e-6);
        return failures;
    }
}
