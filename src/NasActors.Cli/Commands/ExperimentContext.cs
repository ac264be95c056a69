using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Hosting;
using NasActors.Torch.Training;

namespace NasActors.Cli;

/// <summary>Everything a command that runs an experiment needs: its store, validated settings and the trainer backend factory.</summary>
internal sealed record ExperimentContext(ExperimentStore Store, string Name, NasSettings Settings, ITrainerBackendFactory Factory) : IDisposable
{
    public static ITrainerBackendFactory CreateFactory(ExperimentStore store, string name, NasSettings s) =>
        CreateFactory(store.CheckpointDirectory(name), s);

    /// <summary>The Torch backend of the selected space with what the strategy needs (or the synthetic one, for runtime benchmarks).</summary>
    public static ITrainerBackendFactory CreateFactory(string checkpointDirectory, NasSettings s)
    {
        // Trainers run data-parallel: the learning-rate schedule spans the steps one trainer runs.
        var train = s.Train with { TotalSteps = s.StepsPerSlot };
        var torch = new TorchSupernetFactory(s.SpaceModule, s.SpaceSpec, s.Synthetic ? [] : s.BackendNeeds, train, s.Data, checkpointDirectory, s.EffectiveThreads,
            s.RetrainSpec);
        if (!s.Synthetic) return torch;
        // The same space and cost table, so proposals (and FLOPs limits) are those of the real search.
        using (torch) return new SyntheticBackendFactory(torch.Space, torch.Costs, s.SyntheticCost);
    }

    /// <summary>The store named by --store (or $NAS_STORE, or ./experiments); a path that is a file is refused.</summary>
    public static ExperimentStore OpenStore(CliArgs a)
    {
        var store = new ExperimentStore(a.Store);
        if (File.Exists(store.Root))
            throw new Core.NasUserException($"--store {store.Root} is a file, not a directory; pass the experiment store directory (the default is ./experiments)");
        return store;
    }

    /// <summary>
    /// An experiment whose directory has its journal but lost its config.conf: say so (rather than "no experiment"),
    /// and how to recover; nothing is changed.
    /// </summary>
    public static void CheckConfigPresent(ExperimentStore store, string name)
    {
        ExperimentStore.CheckName(name);
        if (store.Exists(name)) return;
        var dir = store.DirectoryOf(name);
        if (File.Exists(store.JournalPath(name)) || File.Exists(Path.Combine(dir, ExperimentStore.JournalMarker)))
            throw new Core.NasUserException($"experiment '{name}' in {dir} has its journal but its {ExperimentStore.ConfigFile} is missing; " +
                                            $"restore {store.Source(name)} (the exact file the experiment started with, e.g. from a backup) and run the command again; nothing was changed");
    }

    /// <summary>Names of experiment directories with a journal but no config.conf (listed by `nas status` as unreadable).</summary>
    public static IEnumerable<string> MissingConfig(ExperimentStore store) => Directory.Exists(store.Root)
        ? Directory.GetDirectories(store.Root).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('.') && !store.Exists(n) && File.Exists(store.JournalPath(n))).Order(StringComparer.Ordinal)
        : [];

    /// <summary>The settings an existing experiment was started with (refusing a store of another format first).</summary>
    public static NasSettings ReadSettings(ExperimentStore store, string name)
    {
        CheckConfigPresent(store, name);
        var text = store.ReadConfig(name);
        ExperimentJournal.CheckFormat(store, name);
        StoreIdentity.Verify(store, name);
        var source = store.Source(name);
        return NasSettings.Create(NasConfig.Parse(text, source), source);
    }

    /// <summary>Opens an existing experiment with the config it was started with.</summary>
    public static ExperimentContext Open(ExperimentStore store, string name)
    {
        var settings = ReadSettings(store, name);
        return new ExperimentContext(store, name, settings, CreateFactory(store, name, settings));
    }

    public void Dispose() => (Factory as IDisposable)?.Dispose();
}
