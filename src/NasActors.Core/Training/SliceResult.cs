namespace NasActors.Core.Training;

/// <summary>What a slice produced: the new weights (by checkpoint hash) and training figures.</summary>
public sealed record SliceResult(string Checkpoint, double MeanLoss, double Accuracy, int Images, double Seconds);
