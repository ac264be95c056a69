using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NasActors.Core;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Hosting;

namespace NasActors.Cli;

/// <summary>
/// `nas eval-arch NAME ARCHS.json [--split validation|test] [--store DIR] [--out FILE]` (aw_nas's eval-arch): scores the
/// given architectures with experiment NAME's latest shared weights, as its strategy scores candidates (BN recalibration,
/// then accuracy and loss on the split), and prints them ranked. ARCHS.json is an NNI dict, a JSON list of them (what
/// `nas random-sample` writes) or a `nas export` file (its top architectures). Reads the store, writes nothing to it.
/// </summary>
internal static class EvalArchCommand
{
    public static Task<int> Run(CliArgs a)
    {
        if (a.Positional.Length != 2)
            throw new NasUserException("`nas eval-arch` needs an experiment name and an architecture file: `nas eval-arch NAME ARCHS.json` (`nas status` lists the experiments)");
        var (name, file) = (a.Positional[0], a.Positional[1]);
        var split = Split(a);
        if (!File.Exists(file)) throw new NasUserException($"architecture file {file} not found; pass an NNI dict, a JSON list of them (`nas random-sample`) or a `nas export` file");

        var store = ExperimentContext.OpenStore(a);
        var (settings, view) = StatusCommand.Read(store, name);
        var checkpoint = RequireCheckpoint(name, view);
        var archs = Read(File.ReadAllText(file), file, view.Started.ToSpace());
        return Task.FromResult(ScoreAndPrint(a, store, name, settings, view, checkpoint, split, $"of {file}", _ => archs));
    }

    /// <summary>--split: validation (the default) or test; the grammar refuses others.</summary>
    public static EvalSplit Split(CliArgs a) => a.Option("--split") == "test" ? EvalSplit.Test : EvalSplit.Validation;

    /// <summary>The experiment's latest shared weights; one line saying to resume it when it has none yet.</summary>
    public static string RequireCheckpoint(string name, ExperimentJournal.View view) =>
        view.Status.Checkpoint
        ?? throw new NasUserException($"experiment {name} has no shared weights yet ({view.Status.Phase}); resume it until it has trained some (`nas resume {name}`)");

    /// <summary>
    /// Scores the architectures <paramref name="choose"/> names (given a trainer backend of the experiment, for choices
    /// that need one) with the shared weights <paramref name="checkpoint"/>, prints them best first and writes them to --out.
    /// </summary>
    public static int ScoreAndPrint(CliArgs a, ExperimentStore store, string name, NasSettings settings, ExperimentJournal.View view,
        string checkpoint, EvalSplit split, string source, Func<ITrainerBackend, ImmutableArray<Architecture>> choose)
    {
        var space = view.Started.ToSpace();
        // A trainer's backend on this thread: one thread, so one dispose scope per batch stays on it.
        var factory = ExperimentContext.CreateFactory(store, name, settings);
        using var disposeFactory = factory as IDisposable;
        using var backend = factory.Create(settings.Devices[0]);
        var evaluator = backend.Capability<IArchitectureEvaluator>()
                        ?? throw new NasUserException($"the backend of experiment {name} cannot score architectures");
        var archs = choose(backend);
        var scored = archs.Select((arch, i) => (Index: i + 1, Arch: arch, Metrics: evaluator.Score(arch, checkpoint, split, CancellationToken.None)))
            .OrderByDescending(s => s.Metrics.Accuracy).ThenBy(s => s.Index).ToList();

        var inv = CultureInfo.InvariantCulture;
        var splitName = split == EvalSplit.Test ? "test" : "validation";
        Console.WriteLine($"{archs.Length} architecture(s) {source} scored with the shared weights {checkpoint} of {name} on the {splitName} split:");
        var rank = 1;
        foreach (var s in scored)
            Console.WriteLine(string.Create(inv, $"  {rank++,2}. #{s.Index,-3} acc {s.Metrics.Accuracy:P2}  loss {s.Metrics.Loss:F4}  FLOPs {s.Metrics.Flops / 1e6,6:F2} M  params {s.Metrics.Params,9:N0}"));

        if (a.Option("--out") is not { } outPath) return 0;
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var s in scored)
            {
                w.WriteStartObject();
                w.WriteNumber("index", s.Index);
                w.WritePropertyName("architecture");
                NniArchitectureJson.Write(w, s.Arch, space);
                w.WriteString("split", splitName);
                ExportCommand.WriteMetrics(w, s.Metrics);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (OutputFile.Write(outPath, Encoding.UTF8.GetString(ms.ToArray()) + "\n", refuseExistingFile: false))
            return 0;
        Console.WriteLine($"wrote the scores to {Path.GetFullPath(outPath)}");
        return 0;
    }

    /// <summary>The architectures of <paramref name="file"/>: one dict, a list of dicts, or a `nas export` file's top list.</summary>
    private static ImmutableArray<Architecture> Read(string json, string file, SearchSpace space)
    {
        var dicts = NniArchitectureJson.ReadDicts(json, file);
        return [.. dicts.Select((d, i) =>
        {
            try { return NniArchitectureJson.Parse(d, space); }
            catch (NasUserException e) { throw new NasUserException($"{file}: architecture #{i + 1} is not one of space {space.Name}: {e.Message}"); }
        })];
    }
}
