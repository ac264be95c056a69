namespace NasActors.Core.Progress;

/// <summary>One value of a scalar series: <paramref name="Tag"/> is "COUNTER/FIGURE", so the step's meaning is in its name.</summary>
public sealed record ScalarPoint(string Tag, long Step, double Value);
