using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Torch.Data;
using NasActors.Torch.Training;

namespace NasActors.Torch.Tests;

/// <summary>Small supernets, hyper-parameters and synthetic data that keep the Torch suite fast on 2 cores.</summary>
internal static class TinySpecs
{
    public static SupernetSpec Supernet() => new(8, [8, 16], [1, 1], SposSpace.PaperCandidates);

    public static SupernetSpec TwoBlockStage() => new(8, [8, 16], [2, 1], SposSpace.PaperCandidates);

    public static TrainSpec Train(int batchSize = 16, long seed = 7) => new(
        BatchSize: batchSize, LearningRate: 0.1, Momentum: 0.9, WeightDecay: 4e-5, TotalSteps: 1000, StepsPerRound: 10,
        BnRecalibrationBatches: 3, ValidationImages: 48, EvalBatchSize: 32, Seed: seed);

    public static DatasetSplits Data() => SyntheticImages.Splits(train: 320, validation: 64, test: 64);

    /// <summary>A factory on synthetic data with 1 intra-op thread (every Torch test uses 1: the count is process-wide).</summary>
    public static TorchSposBackendFactory Factory(string checkpoints, SupernetSpec? spec = null, TrainSpec? train = null) =>
        new(spec ?? Supernet(), train ?? Train(), Data(), checkpoints, intraOpThreads: 1);
}
