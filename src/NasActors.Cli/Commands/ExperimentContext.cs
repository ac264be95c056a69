using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Hosting;
using NasActors.Torch.Training;

namespace NasActors.Cli;

/// <summary>Everything a command needs about one experiment: its store, validated settings and the Torch factory.</summary>
internal sealed record ExperimentContext(ExperimentStore Store, string Name, NasSettings Settings, ITrainerBackendFactory Factory) : IDisposable
{
    public static ITrainerBackendFactory CreateFactory(ExperimentStore store, string name, NasSettings s)
    {
        // Trainers run data-parallel: the learning-rate schedule spans the steps one trainer runs.
        var train = s.Train with { TotalSteps = s.StepsPerSlot };
        if (s.IsEnas)
            return new TorchEnasBackendFactory(s.Enas.Space, s.Enas.Controller, train, s.Enas.RewardImages, s.Enas.PathEvery, s.Data,
                store.CheckpointDirectory(name), s.EffectiveThreads);
        return new TorchSposBackendFactory(s.Supernet, train, s.Data, store.CheckpointDirectory(name), s.EffectiveThreads);
    }

    /// <summary>Opens an existing experiment with the config it was started with.</summary>
    public static ExperimentContext Open(ExperimentStore store, string name)
    {
        var text = store.ReadConfig(name);
        var source = store.Source(name);
        var settings = NasSettings.Create(NasConfig.Parse(text, source), source);
        return new ExperimentContext(store, name, settings, CreateFactory(store, name, settings));
    }

    public void Dispose() => (Factory as IDisposable)?.Dispose();
}
