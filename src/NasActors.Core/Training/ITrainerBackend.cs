using System.Collections.Immutable;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Training;

/// <summary>
/// What a trainer actor asks of its device. Implementations are thread-confined: every call comes from the
/// trainer's one dedicated thread (TorchSharp's dispose scopes are per thread). All results are deterministic
/// functions of the arguments, for a fixed intra-op thread count.
/// </summary>
public interface ITrainerBackend : IDisposable
{
    string Device { get; }

    SliceResult TrainSlice(SupernetSlice slice, Action<TrainProgress> progress, CancellationToken ct);

    /// <summary>Averages the weights (and optimizer state) of several slots into one checkpoint; returns its hash.</summary>
    string Merge(ImmutableArray<string> checkpoints, CancellationToken ct);

    /// <summary>BN recalibration on training batches, then accuracy/loss on <paramref name="split"/>, plus FLOPs/params.</summary>
    Metrics Score(Architecture architecture, string checkpoint, EvalSplit split, CancellationToken ct);

    /// <summary>
    /// ENAS reward: accuracy/loss of <paramref name="architecture"/> on validation minibatch number <paramref name="batch"/>
    /// (a seeded permutation of the validation split, cut in batches of the backend's reward size), BN on that batch's own
    /// statistics (no recalibration; cheap, as ENAS scores one minibatch per sample), plus FLOPs/params.
    /// </summary>
    Metrics ScoreMinibatch(Architecture architecture, string checkpoint, long batch, CancellationToken ct);

    /// <summary>
    /// Retrains <paramref name="architecture"/> from scratch, alone (fresh weights, no weight sharing), for
    /// <paramref name="steps"/> steps with the supernet's optimiser settings, and measures it on the test split.
    /// Progress reports use round -1.
    /// </summary>
    Metrics Retrain(Architecture architecture, long steps, Action<TrainProgress> progress, CancellationToken ct);
}
