using NasActors.Core.Experiments;

namespace NasActors.Core.Engine;

/// <summary>The best architecture measured on the test split with the search's shared weights.</summary>
public sealed record TestResult(RolloutId Id, Metrics Metrics);
