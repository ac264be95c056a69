namespace NasActors.Core.Experiments;

/// <summary>What an evaluation measured. Accuracy in [0,1]; FLOPs are multiply-accumulates of one forward pass of one image.</summary>
public sealed record Metrics(double Accuracy, double Loss, long Flops, long Params, double LatencyMs = 0);
