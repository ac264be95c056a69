namespace NasActors.Core.Engine;

/// <summary>A progress counter: <paramref name="Done"/> of <paramref name="Total"/> units.</summary>
public sealed record PlanCounter(string Name, long Done, long Total);
