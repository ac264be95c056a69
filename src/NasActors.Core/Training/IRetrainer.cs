using System.Collections.Immutable;
using NasActors.Core.OneShot;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Training;

/// <summary>
/// Trains one architecture alone, from scratch, as a standalone model (the space's fixed network, with the retraining
/// tricks its space supports), one epoch slice at a time from checkpoints.
/// </summary>
public interface IRetrainer
{
    /// <summary>
    /// Slot <paramref name="slot"/>'s share of round <paramref name="round"/> of epoch <paramref name="epoch"/> (every
    /// Slots-th batch of the round's, <see cref="RetrainSettings.RoundBatches"/>), from
    /// <paramref name="fromCheckpoint"/> (null: fresh weights from the seed); the checkpoint holds weights, SGD momentum
    /// and the step. Progress reports use round -1 - epoch.
    /// </summary>
    SliceResult TrainEpoch(Architecture architecture, RetrainSettings settings, int epoch, int round, int slot, string? fromCheckpoint,
        Action<TrainProgress> progress, CancellationToken ct);

    /// <summary>Averages the slots' checkpoints (weights and momentum) of one round; returns the hash.</summary>
    string Merge(ImmutableArray<string> checkpoints, CancellationToken ct);

    /// <summary>Measures the trained model on the test split and stores its weights alone (no optimizer state).</summary>
    TrainedModel Test(Architecture architecture, RetrainSettings settings, string checkpoint, CancellationToken ct);
}
