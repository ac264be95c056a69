namespace NasActors.Core.Randomness;

/// <summary>The full state of a <see cref="Xoshiro256"/>: persisted so a resumed search draws the same stream.</summary>
public sealed record RngState(ulong S0, ulong S1, ulong S2, ulong S3);
