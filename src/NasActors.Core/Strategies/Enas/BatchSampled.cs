using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;

namespace NasActors.Core.Strategies.Enas;

/// <param name="Step">Policy updates done when the batch was drawn.</param>
[Manifest("nas.event.batch-sampled.v2")]
public sealed record BatchSampled(long Step, ImmutableArray<Rollout> Rollouts, RngState RngAfter, bool Derive) : PlanEvent;
