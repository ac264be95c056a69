using System.Collections.Immutable;
using NasActors.Core.Training;

namespace NasActors.Core.Strategies.Darts;

/// <summary>
/// What DARTS needs of a trainer backend: slices of alternating architecture and weight steps on the mixed-op network,
/// and the architecture logits a checkpoint holds. Slices average like any supernet slice
/// (<see cref="ISupernetTrainer.Merge"/>: weights, logits and both optimizers' states).
/// </summary>
public interface IDartsTrainer
{
    /// <summary>
    /// Steps FirstStep .. FirstStep + Steps - 1 of the slot: each an architecture step on a batch of the second half of the
    /// training split, then a weight step on a batch of the first half (official train_search.py, train_portion 0.5).
    /// </summary>
    SliceResult TrainMixedSlice(SupernetSlice slice, Action<TrainProgress> progress, CancellationToken ct);

    /// <summary>The logits of <paramref name="checkpoint"/>, per cell type: [edges][ops] ('none' first).</summary>
    ImmutableDictionary<string, ImmutableArray<ImmutableArray<double>>> ReadLogits(string checkpoint, CancellationToken ct);
}
