using System.Collections.Immutable;
using NasActors.Core.Engine;

namespace NasActors.Core.OneShot;

/// <summary>Retraining so far: epochs done, rounds of the current epoch done, the latest round's checkpoint, this round's finished slots, the result.</summary>
public sealed record RetrainState(
    int EpochsDone,
    string? Checkpoint,
    ImmutableSortedDictionary<int, RetrainSliceCompleted> EpochSlices,
    long ImagesTrained,
    double LastLoss,
    double LastAccuracy,
    RetrainResult? Result,
    int RoundsDone = 0)
{
    public static readonly RetrainState Empty = new(0, null, ImmutableSortedDictionary<int, RetrainSliceCompleted>.Empty, 0, double.NaN, double.NaN, null);
}
