using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.OneShot;

/// <summary>The search is over: its best candidates, best first (the first is tested and retrained).</summary>
[Manifest("nas.event.search-completed.v2")]
public sealed record SearchCompleted(ImmutableArray<ScoredRollout> Top) : PlanEvent;
