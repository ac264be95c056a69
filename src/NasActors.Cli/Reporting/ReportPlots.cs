using NasActors.Core.Experiments;
using ScottPlot;

namespace NasActors.Cli.Reporting;

/// <summary>The report's charts, drawn with ScottPlot as PNG bytes.</summary>
internal static class ReportPlots
{
    public const int Width = 640, Height = 360, SmallWidth = 420, SmallHeight = 260;

    /// <summary>One series against its step (e.g. round/train_loss against the round).</summary>
    public static byte[] Series(string title, string xLabel, string yLabel, IReadOnlyList<(long Step, double Value)> points, bool small = false)
    {
        var plt = new Plot();
        var sc = plt.Add.Scatter(points.Select(p => (double)p.Step).ToArray(), points.Select(p => p.Value).ToArray());
        sc.MarkerSize = points.Count > 60 ? 0 : 4;
        Label(plt, title, xLabel, yLabel);
        return small ? plt.GetImageBytes(SmallWidth, SmallHeight, ImageFormat.Png) : plt.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>Every scored rollout's accuracy by its generation (or controller step), with the best of each.</summary>
    public static byte[] ByGeneration(IReadOnlyList<ScoredRollout> scored, string xLabel)
    {
        var plt = new Plot();
        var all = plt.Add.ScatterPoints(scored.Select(r => (double)r.Rollout.Generation).ToArray(), scored.Select(r => r.Metrics.Accuracy * 100).ToArray());
        all.MarkerSize = 6;
        all.LegendText = "candidate";
        var best = scored.GroupBy(r => r.Rollout.Generation).OrderBy(g => g.Key).ToList();
        var line = plt.Add.Scatter(best.Select(g => (double)g.Key).ToArray(), best.Select(g => g.Max(r => r.Metrics.Accuracy) * 100).ToArray());
        line.LegendText = "best of generation";
        plt.ShowLegend(Alignment.LowerRight);
        Label(plt, "Validation accuracy by " + xLabel, xLabel, "accuracy (%)");
        return plt.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>FLOPs against accuracy for every scored rollout, with the Pareto front (fewer FLOPs, higher accuracy) and the best.</summary>
    public static byte[] Pareto(IReadOnlyList<ScoredRollout> scored)
    {
        var plt = new Plot();
        var all = plt.Add.ScatterPoints(scored.Select(r => r.Metrics.Flops / 1e6).ToArray(), scored.Select(r => r.Metrics.Accuracy * 100).ToArray());
        all.MarkerSize = 6;
        all.LegendText = "scored architecture";
        var front = ParetoFront(scored);
        var f = plt.Add.Scatter(front.Select(r => r.Metrics.Flops / 1e6).ToArray(), front.Select(r => r.Metrics.Accuracy * 100).ToArray());
        f.ConnectStyle = ConnectStyle.StepHorizontal;
        f.MarkerSize = 8;
        f.LegendText = "Pareto front";
        if (scored.Count > 0)
        {
            var b = scored.Min(ScoredRollout.BestFirst)!;
            var best = plt.Add.ScatterPoints(new[] { b.Metrics.Flops / 1e6 }, new[] { b.Metrics.Accuracy * 100 });
            best.MarkerShape = MarkerShape.FilledDiamond;
            best.MarkerSize = 12;
            best.LegendText = "best " + b.Rollout.Id;
        }
        plt.ShowLegend(Alignment.LowerRight);
        Label(plt, "FLOPs vs validation accuracy", "FLOPs (M)", "accuracy (%)");
        return plt.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>Rollouts no other beats on both FLOPs (fewer) and accuracy (higher), by increasing FLOPs.</summary>
    public static List<ScoredRollout> ParetoFront(IEnumerable<ScoredRollout> scored)
    {
        var front = new List<ScoredRollout>();
        foreach (var r in scored.OrderBy(r => r.Metrics.Flops).ThenByDescending(r => r.Metrics.Accuracy))
            if (front.Count == 0 || r.Metrics.Accuracy > front[^1].Metrics.Accuracy) front.Add(r);
        return front;
    }

    private static void Label(Plot plt, string title, string x, string y)
    {
        // Rounds, generations and steps are whole numbers: no 0.5 ticks.
        if (x is not "FLOPs (M)") plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plt.Title(title);
        plt.XLabel(x);
        plt.YLabel(y);
    }
}
