using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NasActors.Cli.Reporting;
using NasActors.Core;
using NasActors.Core.OneShot;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;

namespace NasActors.Cli;

/// <summary>
/// `nas rank-check NAME [-n K] [--epochs E] [--seed S] [--store DIR] [--out FILE]`: does experiment NAME's supernet rank
/// architectures as training them would? K distinct random architectures are scored with its latest shared weights
/// (validation split, as its strategy scores candidates) and each is trained alone from scratch for E epochs with
/// nas.retrain's recipe (test split); Kendall's τ and Spearman's ρ compare the two rankings. Everything it trains goes
/// to a temporary folder: the experiment's store is only read.
/// </summary>
internal static class RankCheckCommand
{
    public static Task<int> Run(CliArgs a)
    {
        var name = a.RequireName();
        var n = a.Count("-n");
        if (n < 3) throw new NasUserException($"-n {n}: a ranking needs at least 3 architectures");
        var epochs = a.Count("--epochs");
        var store = ExperimentContext.OpenStore(a);
        var (settings, view) = StatusCommand.Read(store, name);
        var seed = a.Seed(view.Started.Seed);
        var checkpoint = EvalArchCommand.RequireCheckpoint(name, view);
        var space = view.Started.ToSpace();
        if (space.Size < n)
            throw new NasUserException(string.Create(CultureInfo.InvariantCulture, $"space {space.Name} has only {space.Size:N0} architectures; use -n {space.Size} or fewer"));
        var archs = RandomSampleCommand.Distinct(space, n, seed);
        var retrain = settings.Retrain with { Epochs = epochs, Slots = 1, Rounds = 1 };

        // The shared weights are copied into a scratch checkpoint folder, where the standalone trainings write theirs.
        var scratch = Directory.CreateTempSubdirectory("nas-rank-check-").FullName;
        try
        {
            var source = Path.Combine(store.CheckpointDirectory(name), checkpoint + Torch.Training.CheckpointStore.Extension);
            if (!File.Exists(source)) throw new NasUserException($"the shared weights {source} are missing; restore the experiment's checkpoints folder");
            File.Copy(source, Path.Combine(scratch, Path.GetFileName(source)));
            var factory = ExperimentContext.CreateFactory(scratch, settings);
            using var disposeFactory = factory as IDisposable;
            using var backend = factory.Create(settings.Devices[0]);
            var evaluator = backend.Capability<IArchitectureEvaluator>() ?? throw new NasUserException($"the backend of experiment {name} cannot score architectures");
            var retrainer = backend.Capability<IRetrainer>() ?? throw new NasUserException($"the backend of experiment {name} cannot train architectures alone");

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"rank check of {name}: {n} random architectures (seed {seed}) scored with the shared weights {checkpoint[..12]} (validation) and trained alone for {epochs} epoch(s) (test)");
            var rows = new List<(Architecture Arch, double Shared, double Alone, long Params, long Flops)>();
            var clock = Stopwatch.StartNew();
            foreach (var arch in archs)
            {
                var shared = evaluator.Score(arch, checkpoint, EvalSplit.Validation, CancellationToken.None);
                string? ck = null;
                for (var e = 0; e < epochs; e++)
                    ck = retrainer.TrainEpoch(arch, retrain, e, 0, 0, ck, _ => { }, CancellationToken.None).Checkpoint;
                var alone = retrainer.Test(arch, retrain, ck!, CancellationToken.None).Metrics;
                rows.Add((arch, shared.Accuracy, alone.Accuracy, alone.Params, alone.Flops));
                Console.WriteLine(string.Create(inv, $"  {rows.Count,3}/{n}  shared {shared.Accuracy:P2}  alone {alone.Accuracy:P2}  params {alone.Params,9:N0}  ({clock.Elapsed.TotalSeconds:F0} s)"));
            }
            var s = rows.Select(r => r.Shared).ToList();
            var t = rows.Select(r => r.Alone).ToList();
            var tau = RankCorrelation.Kendall(s, t);
            var rho = RankCorrelation.Spearman(s, t);
            var bestShared = rows.IndexOf(rows.MaxBy(r => r.Shared));
            var rankOfIt = t.Count(x => x > t[bestShared]) + 1;
            Console.WriteLine(string.Create(inv, $"Kendall tau {tau:F3}, Spearman rho {rho:F3} over {n} architectures; the supernet's favourite ranks {rankOfIt} of {n} when trained alone"));
            Console.WriteLine(tau >= 0.5 ? "the supernet ranks these architectures much as training them does: its search result is worth trusting"
                : tau >= 0.2 ? "the supernet's ranking agrees only loosely with training: retrain its top few rather than trusting the first"
                : "the two rankings barely agree (tau < 0.2): at this budget the supernet's pick is not reliably better than a random one; " +
                  "confirm with more architectures (-n) or epochs (--epochs), or train the supernet longer");

            if (a.Option("--out") is { } outPath)
            {
                using var ms = new MemoryStream();
                using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
                {
                    w.WriteStartObject();
                    w.WriteString("experiment", name);
                    w.WriteString("checkpoint", checkpoint);
                    w.WriteNumber("seed", seed);
                    w.WriteNumber("epochs", epochs);
                    w.WriteNumber("kendall_tau", tau);
                    w.WriteNumber("spearman_rho", rho);
                    w.WriteStartArray("architectures");
                    foreach (var r in rows)
                    {
                        w.WriteStartObject();
                        w.WritePropertyName("architecture");
                        NniArchitectureJson.Write(w, r.Arch, space);
                        w.WriteNumber("shared_validation_accuracy", r.Shared);
                        w.WriteNumber("standalone_test_accuracy", r.Alone);
                        w.WriteNumber("params", r.Params);
                        w.WriteNumber("flops", r.Flops);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                if (!OutputFile.Write(outPath, Encoding.UTF8.GetString(ms.ToArray()) + "\n", refuseExistingFile: false))
                    Console.WriteLine($"wrote the rank check to {Path.GetFullPath(outPath)}");
            }
            return Task.FromResult(0);
        }
        finally
        {
            try { Directory.Delete(scratch, recursive: true); } catch (IOException) { }
        }
    }
}
