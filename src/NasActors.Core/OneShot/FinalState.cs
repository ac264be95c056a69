using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.OneShot;

/// <summary>After the search: its result, the best candidate's test score and its retraining.</summary>
public sealed record FinalState(ImmutableArray<ScoredRollout>? Top, TestResult? Test, RetrainState Retrain)
{
    public static readonly FinalState Empty = new(null, null, RetrainState.Empty);

    public RetrainResult? Retrained => Retrain.Result;
}
