using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Hosting;
using NasActors.Torch.Training;

namespace NasActors.Cli;

/// <summary>Everything a command needs about one experiment: its store, validated settings and the Torch factory.</summary>
internal sealed record ExperimentContext(ExperimentStore Store, string Name, NasSettings Settings, ITrainerBackendFactory Factory) : IDisposable
{
    public static ITrainerBackendFactory CreateFactory(ExperimentStore store, string name, NasSettings s) =>
        CreateFactory(store.CheckpointDirectory(name), s);

    public static ITrainerBackendFactory CreateFactory(string checkpointDirectory, NasSettings s)
    {
        // Trainers run data-parallel: the learning-rate schedule spans the steps one trainer runs.
        var train = s.Train with { TotalSteps = s.StepsPerSlot };
        TorchBackendFactory torch = s.IsEnas
            ? new TorchEnasBackendFactory(s.Enas.Space, s.Enas.Controller, train, s.Enas.RewardImages, s.Enas.PathEvery, s.Data,
                checkpointDirectory, s.EffectiveThreads)
            : new TorchSposBackendFactory(s.Supernet, train, s.Data, checkpointDirectory, s.EffectiveThreads);
        if (!s.Synthetic) return torch;
        if (s.IsEnas)
        {
            torch.Dispose();
            throw new Core.NasUserException("nas.trainers.backend = synthetic supports spos and random search, not enas");
        }
        // The same space and cost table, so proposals (and FLOPs limits) are those of the real search.
        using (torch) return new SyntheticBackendFactory(torch.Space, torch.Costs, s.SyntheticCost);
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
