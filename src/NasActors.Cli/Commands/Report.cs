using System.Globalization;
using NasActors.Core.Engine;
using NasActors.Core.SearchSpaces;

namespace NasActors.Cli;

/// <summary>The human-readable result of a finished (or running) experiment.</summary>
internal static class Report
{
    public static void PrintResult(string name, SearchSpace space, PlanStatus status, int topK, TimeSpan? elapsed, string storeHint)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(elapsed is { } e
            ? $"done: experiment {name} ({status.Strategy} on {space.Name}, {status.Scored} candidates scored) in {(int)e.TotalMinutes}m{e.Seconds:00}s"
            : $"experiment {name} ({status.Strategy} on {space.Name}, {status.Scored} candidates scored): {status.Phase}");
        if (status.Ranking.IsEmpty)
        {
            Console.WriteLine("no architecture was scored");
            return;
        }
        var best = status.Ranking[0];
        Console.WriteLine($"best architecture ({best.Rollout.Id}, {best.Rollout.Origin}):");
        Console.WriteLine("  " + NniArchitectureJson.ToJson(best.Rollout.Architecture, space));
        var test = status.Test is { } t && t.Id == best.Rollout.Id
            ? string.Create(inv, $"   test accuracy {t.Metrics.Accuracy:P2} (10k test images)") : "";
        Console.WriteLine(string.Create(inv, $"  FLOPs {best.Metrics.Flops / 1e6:F2} M   params {best.Metrics.Params:N0}   validation accuracy {best.Metrics.Accuracy:P2}{test}"));
        if (status.Retrained is { } rt && rt.Id == best.Rollout.Id)
            Console.WriteLine(string.Create(inv, $"  retrained from scratch ({rt.Steps:N0} steps): test accuracy {rt.Metrics.Accuracy:P2} (10k test images)"));
        var top = status.Ranking.Take(topK).ToList();
        Console.WriteLine($"top {top.Count}:");
        var rank = 1;
        foreach (var r in top)
        {
            var ops = string.Join(" ", space.Choices.Select(ch => r.Rollout.Architecture[ch.Key]));
            Console.WriteLine(string.Create(inv, $"  {rank++,2}. {r.Rollout.Id,-6} acc {r.Metrics.Accuracy:P2}  FLOPs {r.Metrics.Flops / 1e6,6:F2} M  params {r.Metrics.Params,9:N0}  {ops}"));
        }
        Console.WriteLine($"export: {Nas.CommandName} export {name}{storeHint} --out {name}.json");
    }
}
