using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Training;

/// <summary>Trains one architecture alone, from scratch.</summary>
public interface IRetrainer
{
    /// <summary>
    /// Retrains <paramref name="architecture"/> from fresh weights (no weight sharing) for <paramref name="steps"/> steps
    /// with the supernet's optimiser settings, and measures it on the test split. Progress reports use round -1.
    /// </summary>
    Metrics Retrain(Architecture architecture, long steps, Action<TrainProgress> progress, CancellationToken ct);
}
