using NasActors.Core.Experiments;

namespace NasActors.Core.Training;

/// <summary>A retrained model measured on the test split; <paramref name="Weights"/>: the checkpoint hash of its weights alone.</summary>
public sealed record TrainedModel(Metrics Metrics, string Weights);
