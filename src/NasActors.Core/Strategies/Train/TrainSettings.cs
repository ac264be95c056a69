namespace NasActors.Core.Strategies.Train;

/// <summary>nas.strategies.train: the architecture to train, as an NNI dict (JSON text; `nas train` writes it).</summary>
public sealed record TrainSettings(string Architecture);
