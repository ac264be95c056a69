namespace NasActors.Core.Experiments;

/// <summary>Static cost of an architecture: multiply-accumulates per image and parameter count.</summary>
public sealed record ArchitectureCost(long Flops, long Params);
