namespace NasActors.Core.Training;

/// <summary>
/// Supernet training and candidate scoring hyper-parameters (see reference.conf for defaults and their sources).
/// </summary>
/// <param name="TotalSteps">Supernet SGD steps in all (summed over slots).</param>
/// <param name="StepsPerRound">Steps each slot trains between checkpoints / parameter averaging.</param>
/// <param name="BnRecalibrationBatches">Training batches run in train mode to re-estimate BN statistics for a candidate (SPOS).</param>
/// <param name="ValidationImages">Validation images that score a candidate.</param>
public sealed record TrainSpec(
    int BatchSize,
    double LearningRate,
    double Momentum,
    double WeightDecay,
    long TotalSteps,
    int StepsPerRound,
    int BnRecalibrationBatches,
    int ValidationImages,
    int EvalBatchSize,
    long Seed);
