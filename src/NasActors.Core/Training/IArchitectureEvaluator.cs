using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Training;

/// <summary>Scores architectures with shared weights.</summary>
public interface IArchitectureEvaluator
{
    /// <summary>BN recalibration on training batches, then accuracy/loss on <paramref name="split"/>, plus FLOPs/params.</summary>
    Metrics Score(Architecture architecture, string checkpoint, EvalSplit split, CancellationToken ct);

    /// <summary>
    /// A cheap reward: accuracy/loss of <paramref name="architecture"/> on validation minibatch number <paramref name="batch"/>
    /// (a seeded permutation of the validation split, cut in batches of <paramref name="images"/>), BN on that batch's own
    /// statistics (no recalibration), plus FLOPs/params.
    /// </summary>
    Metrics ScoreMinibatch(Architecture architecture, string checkpoint, long batch, int images, CancellationToken ct);
}
