using System.Globalization;
using NasActors.Core.Engine;
using NasActors.Core.SearchSpaces;

namespace NasActors.Cli;

/// <summary>The human-readable result of a finished (or running) experiment.</summary>
internal static class Report
{
    public static void PrintResult(string name, SearchSpace space, PlanStatus status, int topK, TimeSpan? elapsed, string storeHint,
        string? checkpointDirectory = null, string? modelDirectory = null, string? dataset = null)
    {
        var inv = CultureInfo.InvariantCulture;
        if (status.Strategy == Core.Strategies.Train.TrainModule.StrategyName)
        {
            PrintTrained(name, space, status, elapsed, checkpointDirectory);
            if (status.Retrained is { } trained && Baselines(trained.Metrics.Accuracy, dataset) is { } vs) Console.WriteLine(vs);
            PrintModel(modelDirectory);
            return;
        }
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
        {
            Console.WriteLine(string.Create(inv, $"  retrained from scratch ({rt.Epochs} epochs): test accuracy {rt.Metrics.Accuracy:P2}, params {rt.Metrics.Params:N0}, FLOPs {rt.Metrics.Flops / 1e6:F2} M; weights {Weights(rt, checkpointDirectory)}"));
            if (Baselines(rt.Metrics.Accuracy, dataset) is { } vs) Console.WriteLine(vs);
            PrintModel(modelDirectory);
        }
        else if (status.Finished)
            // Shared weights rank candidates; they are not the candidate's own trained weights (a cell derived from DARTS's
            // relaxation can score near chance with them), so say how to get the figure a user keeps.
            Console.WriteLine($"  (accuracies with the shared supernet weights: to train it from scratch, export it as below and run `{Nas.CommandName} train {name}.json`, or set nas.retrain.epochs)");
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

    /// <summary>`nas train`'s result: the model's test figures, size and where its weights are.</summary>
    private static void PrintTrained(string name, SearchSpace space, PlanStatus status, TimeSpan? elapsed, string? checkpointDirectory)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(elapsed is { } e
            ? $"done: experiment {name} (train on {space.Name}) in {(int)e.TotalMinutes}m{e.Seconds:00}s"
            : $"experiment {name} (train on {space.Name}): {status.Phase}");
        if (status.Retrained is not { } rt || status.Ranking.IsEmpty)
        {
            var epochs = status.Counter("epoch");
            Console.WriteLine($"not finished: epoch {epochs?.Done ?? 0}/{epochs?.Total ?? 0}");
            return;
        }
        Console.WriteLine("architecture:");
        Console.WriteLine("  " + NniArchitectureJson.ToJson(status.Ranking[0].Rollout.Architecture, space));
        Console.WriteLine(string.Create(inv, $"  trained from scratch for {rt.Epochs} epochs: test accuracy {rt.Metrics.Accuracy:P2}, test loss {rt.Metrics.Loss:F4}"));
        Console.WriteLine(string.Create(inv, $"  params {rt.Metrics.Params:N0}   FLOPs {rt.Metrics.Flops / 1e6:F2} M"));
        Console.WriteLine($"  weights {rt.Weights}: {Weights(rt, checkpointDirectory)}");
    }

    /// <summary>Where the saved model is and what to do with it.</summary>
    private static void PrintModel(string? modelDirectory)
    {
        if (modelDirectory is null) return;
        var shown = Path.GetRelativePath(Environment.CurrentDirectory, modelDirectory) is var rel && !rel.StartsWith("..", StringComparison.Ordinal) ? rel : modelDirectory;
        Console.WriteLine($"  model: {shown} (model.safetensors + model.json); try `{Nas.CommandName} evaluate {shown}` or `{Nas.CommandName} predict {shown} IMAGES`");
    }

    /// <summary>
    /// One line against the dataset's published baselines (Fashion-MNIST's benchmark table: the two-layer CNN of its README
    /// at 92.5 %, scikit-learn's best classic model at 89.7 %); null for other datasets (none here).
    /// </summary>
    internal static string? Baselines(double accuracy, string? dataset)
    {
        if (dataset != "fashion-mnist") return null;
        const double Cnn = 0.925, Classic = 0.897;
        var inv = CultureInfo.InvariantCulture;
        var (a, cnn, classic) = (accuracy.ToString("P2", inv), Cnn.ToString("P1", inv), Classic.ToString("P1", inv));
        return accuracy >= Cnn ? $"  vs baselines (Fashion-MNIST): {a} is above the 2-layer CNN's {cnn} and the best classic model's {classic}"
            : accuracy >= Classic ? $"  vs baselines (Fashion-MNIST): {a} is above the best classic model's {classic}, below the 2-layer CNN's {cnn}"
            : $"  vs baselines (Fashion-MNIST): {a} is below the best classic model's {classic} and the 2-layer CNN's {cnn}";
    }

    private static string Weights(RetrainResult rt, string? checkpointDirectory) =>
        checkpointDirectory is null ? rt.Weights : Path.Combine(checkpointDirectory, rt.Weights + ".ckpt");
}
