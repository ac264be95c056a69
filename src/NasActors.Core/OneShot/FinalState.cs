using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.OneShot;

/// <summary>After the search: its result, the best candidate's test score and its retrained score.</summary>
public sealed record FinalState(ImmutableArray<ScoredRollout>? Top, TestResult? Test, RetrainResult? Retrained)
{
    public static readonly FinalState Empty = new(null, null, null);
}
