using NasActors.Core;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Hosting;
using NasActors.Torch.Training;

namespace NasActors.Cli;

/// <summary>Everything a command needs about one experiment: its store, validated settings and the Torch factory.</summary>
internal sealed record ExperimentContext(ExperimentStore Store, string Name, NasSettings Settings, TorchSposBackendFactory Factory)
{
    public static TorchSposBackendFactory CreateFactory(ExperimentStore store, string name, NasSettings s)
    {
        // Trainers run data-parallel: the learning-rate schedule spans the steps one trainer runs.
        var stepsPerSlot = (s.Train.TotalSteps + s.Devices.Length - 1) / s.Devices.Length;
        return new TorchSposBackendFactory(s.Supernet, s.Train with { TotalSteps = stepsPerSlot }, s.Data,
            store.CheckpointDirectory(name), s.EffectiveThreads);
    }

    /// <summary>Opens an existing experiment with the config it was started with.</summary>
    public static ExperimentContext Open(ExperimentStore store, string name)
    {
        var text = store.ReadConfig(name);
        var source = store.Source(name);
        var settings = NasSettings.Create(NasConfig.Parse(text, source), source);
        return new ExperimentContext(store, name, settings, CreateFactory(store, name, settings));
    }
}
