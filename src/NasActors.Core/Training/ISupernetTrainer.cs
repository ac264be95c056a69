using System.Collections.Immutable;

namespace NasActors.Core.Training;

/// <summary>Weight-sharing training: slices of single-path supernet training and the averaging of data-parallel slots.</summary>
public interface ISupernetTrainer
{
    SliceResult TrainSlice(SupernetSlice slice, Action<TrainProgress> progress, CancellationToken ct);

    /// <summary>Averages the weights (and optimizer state) of several slots into one checkpoint; returns its hash.</summary>
    string Merge(ImmutableArray<string> checkpoints, CancellationToken ct);
}
