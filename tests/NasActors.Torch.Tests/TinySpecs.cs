using NasActors.Torch.Mutables;
using NasActors.Torch.Tests.Support;
using System.Collections.Immutable;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Torch.Data;
using NasActors.Torch.Spaces;
using NasActors.Torch.Training;

namespace NasActors.Torch.Tests;

/// <summary>Small supernets, hyper-parameters and synthetic data that keep the Torch suite fast on 2 cores.</summary>
internal static class TinySpecs
{
    public static readonly SposShuffleNetModule Spos = new();
    public static readonly EnasMicroModule EnasMicro = new();

    public static SupernetSpec Supernet() => new(8, [8, 16], [1, 1], SposSpace.PaperCandidates);

    public static SupernetSpec TwoBlockStage() => new(8, [8, 16], [2, 1], SposSpace.PaperCandidates);

    public static TrainSpec Train(int batchSize = 16, long seed = 7) => new(
        BatchSize: batchSize, LearningRate: 0.1, Momentum: 0.9, WeightDecay: 4e-5, TotalSteps: 1000, StepsPerRound: 10,
        BnRecalibrationBatches: 3, ValidationImages: 48, EvalBatchSize: 32, Seed: seed);

    public static DatasetSplits Data() => SyntheticImages.Splits(train: 320, validation: 64, test: 64);

    /// <summary>ENAS micro: 8 channels, 2 nodes, 1 cell per stage, 2 stages (normal + reduce), the paper's ops.</summary>
    public static EnasMicroSpec Enas(int stages = 2) => new(8, 2, 1, stages, EnasMicroSpec.PaperOps);

    public static ControllerSpec Controller() => new(HiddenSize: 16, Temperature: 5.0, TanhConstant: 1.1, LearningRate: 0.0035,
        EntropyWeight: 1e-4, GradClip: 5.0, Seed: 3);

    /// <summary>Validation images per reward minibatch in the ENAS tests (validation 64 images: 4 reward minibatches of 16).</summary>
    public const int RewardImages = 16;

    /// <summary>
    /// An enas-micro factory on synthetic data; with the controller (the <see cref="IPolicyBackend"/> capability) unless
    /// <paramref name="controller"/> is false.
    /// </summary>
    public static TorchSupernetFactory EnasFactory(string checkpoints, EnasMicroSpec? spec = null, TrainSpec? train = null,
        DatasetSplits? data = null, bool controller = true) =>
        new(EnasMicro, spec ?? Enas(), controller ? [Controller()] : [], train ?? Train(), data ?? Data(), checkpoints, intraOpThreads: 1);

    /// <summary>
    /// An ENAS backend built directly, with a test policy instead of the LSTM controller. The caller keeps
    /// <paramref name="data"/> (and disposes it after the backend).
    /// </summary>
    public static TorchSupernetBackend EnasBackend(string checkpoints, DatasetSplits data, Func<IPolicyBackend>? policy,
        EnasMicroSpec? spec = null, TrainSpec? train = null)
    {
        spec ??= Enas();
        CostTable costs;
        using (var counted = new EnasMicroSupernet(spec)) costs = FlopsCounter.Count(counted);
        return new TorchSupernetBackend("cpu", TorchSharp.torch.CPU, ModelSpace.Create("enas-micro", new EnasMicroSupernet(spec), 1, 1, 28, 28), costs,
            train ?? Train(), data, new CheckpointStore(checkpoints), policy);
    }

    /// <summary>DARTS's settings for the tiny tests: 2 epochs of 4 steps, the official optimizers.</summary>
    public static Core.Strategies.Darts.DartsSettings Darts(bool unrolled = false) => new(
        Epochs: 2, StepsPerEpoch: 4, Unrolled: unrolled, LearningRate: 0.025, LearningRateMin: 0.001, Momentum: 0.9, WeightDecay: 3e-4,
        GradClip: 5, ArchLearningRate: 3e-4, ArchBeta1: 0.5, ArchBeta2: 0.999, ArchWeightDecay: 1e-3, Seed: 7);

    /// <summary>A DARTS backend on the smallest cell network (4 channels, 3 cells); the caller keeps <paramref name="data"/>.</summary>
    public static TorchSupernetBackend DartsBackend(string checkpoints, DatasetSplits data, Core.Strategies.Darts.DartsSettings? darts)
    {
        var spec = new Core.SearchSpaces.Darts.DartsSpec(4, 3, Core.SearchSpaces.Darts.DartsSpec.FashionMnist);
        var model = SupernetCatalog.Create(new Core.SearchSpaces.Darts.DartsModule(), spec);
        return new TorchSupernetBackend("cpu", TorchSharp.torch.CPU, model, new MeasuredCosts(SupernetCatalog.Create(new Core.SearchSpaces.Darts.DartsModule(), spec)),
            Train(), data, new CheckpointStore(checkpoints), null, darts: darts);
    }

    /// <summary>A SPOS backend built directly, with a test policy (see <see cref="EnasBackend"/>).</summary>
    public static TorchSupernetBackend SposBackend(string checkpoints, DatasetSplits data, Func<IPolicyBackend>? policy,
        SupernetSpec? spec = null, TrainSpec? train = null)
    {
        spec ??= Supernet();
        CostTable costs;
        using (var counted = new SposSupernet(spec)) costs = FlopsCounter.Count(counted);
        return new TorchSupernetBackend("cpu", TorchSharp.torch.CPU, ModelSpace.Create("spos-shufflenet", new SposSupernet(spec), 1, 1, 28, 28), costs,
            train ?? Train(), data, new CheckpointStore(checkpoints), policy);
    }

    /// <summary>
    /// A spos-shufflenet factory on synthetic data with 1 intra-op thread (every Torch test uses 1: the count is
    /// process-wide); <paramref name="needs"/> as a strategy would pass them (a <see cref="ControllerSpec"/>: the ENAS
    /// controller over SPOS blocks).
    /// </summary>
    public static TorchSupernetFactory Factory(string checkpoints, SupernetSpec? spec = null, TrainSpec? train = null,
        ImmutableArray<object> needs = default) =>
        new(Spos, spec ?? Supernet(), needs.IsDefault ? [] : needs, train ?? Train(), Data(), checkpoints, intraOpThreads: 1);
}
