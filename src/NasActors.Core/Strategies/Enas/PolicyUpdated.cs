using NasActors.Core.Engine;

namespace NasActors.Core.Strategies.Enas;

/// <param name="Step">Updates done after this one.</param>
[Manifest("nas.event.policy-updated.v2")]
public sealed record PolicyUpdated(long Step, string Policy, double Baseline, ReinforceStats Stats) : PlanEvent;
