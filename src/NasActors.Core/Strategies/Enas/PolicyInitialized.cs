using NasActors.Core.Engine;

namespace NasActors.Core.Strategies.Enas;

[Manifest("nas.event.policy-initialized.v2")]
public sealed record PolicyInitialized(string Policy) : PlanEvent;
