using NasActors.Core.Experiments;

namespace NasActors.Core.Engine;

/// <summary>The best architecture trained from scratch for <paramref name="Steps"/> steps, measured on the test split.</summary>
public sealed record RetrainResult(RolloutId Id, long Steps, Metrics Metrics);
