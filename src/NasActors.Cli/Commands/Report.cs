using System.Globalization;
using NasActors.Core.SearchSpaces;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Population;

namespace NasActors.Cli;

/// <summary>The human-readable result of a finished (or running) experiment.</summary>
internal static class Report
{
    public static void PrintResult(ExperimentContext ctx, ExperimentProtocol.StatusResult status, PopulationProtocol.RankingResult ranking, TimeSpan? elapsed)
    {
        var inv = CultureInfo.InvariantCulture;
        var space = ctx.Factory.Space;
        Console.WriteLine();
        Console.WriteLine(elapsed is { } e
            ? $"done: experiment {ctx.Name} ({ranking.Strategy}, {ranking.Scored} candidates scored) in {(int)e.TotalMinutes}m{e.Seconds:00}s"
            : $"experiment {ctx.Name} ({ranking.Strategy}, {ranking.Scored} candidates scored): finished");
        if (ranking.Top.IsEmpty)
        {
            Console.WriteLine("no architecture was scored");
            return;
        }
        var best = ranking.Top[0];
        var c = ctx.Factory.Costs.Cost(best.Rollout.Architecture);
        Console.WriteLine($"best architecture ({best.Rollout.Id}, {best.Rollout.Origin}):");
        Console.WriteLine("  " + NniArchitectureJson.ToJson(best.Rollout.Architecture, space));
        var test = status.TestMetrics is { } t && status.Top.Length > 0 && status.Top[0].Rollout.Id == best.Rollout.Id
            ? string.Create(inv, $"   test accuracy {t.Accuracy:P2} (10k test images)") : "";
        Console.WriteLine(string.Create(inv, $"  FLOPs {c.Flops / 1e6:F2} M   params {c.Params:N0}   validation accuracy {best.Metrics.Accuracy:P2}{test}"));
        if (status.Retrained is { } rt && rt.Id == best.Rollout.Id)
            Console.WriteLine(string.Create(inv, $"  retrained from scratch ({rt.Steps:N0} steps): test accuracy {rt.Metrics.Accuracy:P2} (10k test images)"));
        Console.WriteLine($"top {ranking.Top.Length}:");
        var rank = 1;
        foreach (var r in ranking.Top)
        {
            var cost = ctx.Factory.Costs.Cost(r.Rollout.Architecture);
            var ops = string.Join(" ", space.Choices.Select(ch => r.Rollout.Architecture[ch.Key]));
            Console.WriteLine(string.Create(inv, $"  {rank++,2}. {r.Rollout.Id,-6} acc {r.Metrics.Accuracy:P2}  FLOPs {cost.Flops / 1e6,6:F2} M  params {cost.Params,9:N0}  {ops}"));
        }
        Console.WriteLine($"export: nas export {ctx.Name} --out {ctx.Name}.json");
    }
}
