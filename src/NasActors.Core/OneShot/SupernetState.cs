using System.Collections.Immutable;

namespace NasActors.Core.OneShot;

/// <summary>Supernet training so far: rounds done, the latest weights, this round's finished slices.</summary>
public sealed record SupernetState(
    int RoundsDone,
    string? Checkpoint,
    ImmutableSortedDictionary<int, SliceCompleted> RoundSlices,
    long ImagesTrained,
    double LastLoss,
    double LastAccuracy)
{
    public static readonly SupernetState Empty = new(0, null, ImmutableSortedDictionary<int, SliceCompleted>.Empty, 0, double.NaN, double.NaN);
}
