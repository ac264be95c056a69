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
        var torch = new TorchSupernetFactory(s.SpaceModule, s.SpaceSpec, s.Synthetic ? [] : s.BackendNeeds, train, s.Data, checkpointDirectory, s.EffectiveThreads);
        if (!s.Synthetic) return torch;
        // The same space and cost table, so proposals (and FLOPs limits) are those of the real search.
        using (torch) return new SyntheticBackendFactory(torch.Space, torch.Costs, s.SyntheticCost);
    }

    /// <summary>The settings an existing experiment was started with (refusing a store of another format first).</summary>
    public static NasSettings ReadSettings(ExperimentStore store, string name)
    {
        var text = store.ReadConfig(name);
        ExperimentJournal.CheckFormat(store, name);
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
