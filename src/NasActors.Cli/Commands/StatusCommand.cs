using System.Globalization;
using NasActors.Runtime.Hosting;

namespace NasActors.Cli;

/// <summary>`nas status [NAME]`: reads experiments' journals (plain reads, nothing built, nothing written) and prints where they stand.</summary>
internal static class StatusCommand
{
    public static Task<int> Run(CliArgs a)
    {
        var store = ExperimentContext.OpenStore(a);
        if (a.Positional.Length == 0)
        {
            var names = store.List();
            var broken = ExperimentContext.MissingConfig(store).ToList();
            foreach (var n in broken)
                Console.WriteLine($"{n,-32} unreadable: its {ExperimentStore.ConfigFile} is missing; restore it (see `nas status {n}`)");
            if (names.Count == 0 && broken.Count == 0)
            {
                Console.WriteLine($"no experiments in {store.Root}; start one with `nas search`");
                return Task.FromResult(0);
            }
            foreach (var n in names)
            {
                try
                {
                    var v = Read(store, n).View;
                    var s = v.Status;
                    var best = s.Ranking.IsEmpty ? "-" : s.Ranking[0].Metrics.Accuracy.ToString("P2", CultureInfo.InvariantCulture);
                    Console.WriteLine($"{n,-32} {s.Strategy,-22} {v.Started.Space,-16} {s.Phase,-10} scored {s.Scored,5}  best {best}");
                }
                catch (Exception e) when (e is Core.NasUserException or IOException or UnauthorizedAccessException)
                {
                    // One unreadable experiment must not hide the others.
                    Console.WriteLine($"{n,-32} unreadable: {e.Message}");
                }
            }
            return Task.FromResult(0);
        }
        var name = a.RequireName();
        if (a.Flag("--lineage")) return Task.FromResult(PrintLineage(store, name));
        var (settings, view) = Read(store, name);
        var st = view.Status;
        var space = view.Started.ToSpace();
        Console.WriteLine($"experiment {name} in {store.DirectoryOf(name)}");
        Console.WriteLine($"  strategy   {st.Strategy} on {space.Name} ({space.Choices.Length} choices, {SearchCommand.SpaceSize(space.Size)} architectures), seed {view.Started.Seed}");
        Console.WriteLine($"  phase      {st.Phase}");
        Console.WriteLine($"  progress   {ConsoleProgress.PlanLine(st, phase: false).Trim()}");
        Console.WriteLine($"  journal    {view.Events} events; shared weights {st.Checkpoint ?? "-"}");
        var model = Path.Combine(store.DirectoryOf(name), Models.SavedModel.Folder);
        if (st.Finished)
            Report.PrintResult(name, space, st, settings.ExportTopK, null, SearchCommand.StoreHint(store),
                modelDirectory: File.Exists(Path.Combine(model, Models.SavedModel.MetadataFile)) ? model : null, dataset: settings.Data.Dataset);
        else if (!st.Ranking.IsEmpty)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  best so far {st.Ranking[0].Rollout.Id} validation accuracy {st.Ranking[0].Metrics.Accuracy:P2}"));
        return Task.FromResult(0);
    }

    /// <summary>`nas status NAME --lineage`: the best architecture's ancestry, read from the journal.</summary>
    private static int PrintLineage(ExperimentStore store, string name)
    {
        var settings = ExperimentContext.ReadSettings(store, name);
        var (_, steps) = ExperimentJournal.History(store, name, settings);
        var root = Core.Progress.Lineage.OfBest([.. steps.Select(s => (s.Sequence, s.Status))]);
        if (root is null)
        {
            Console.WriteLine($"experiment {name} has scored no architecture yet: no lineage to show");
            return 0;
        }
        Console.WriteLine($"lineage of the best architecture of {name} ({root.Rollout.Rollout.Id}; parents below their child):");
        foreach (var line in Core.Progress.Lineage.Lines(root)) Console.WriteLine("  " + line);
        return 0;
    }

    public static (Runtime.Configuration.NasSettings Settings, ExperimentJournal.View View) Read(ExperimentStore store, string name)
    {
        var settings = ExperimentContext.ReadSettings(store, name);
        return (settings, ExperimentJournal.Read(store, name, settings));
    }
}
