using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Torch.Data;
using NasActors.Torch.Spaces;
using TorchSharp;

namespace NasActors.Torch.Training;

/// <summary>
/// Builds SPOS trainer backends (one per device) that share one copy of Fashion-MNIST, loaded on first use, and one
/// checkpoint directory. libtorch's intra-op thread count is process-wide: results are bit-identical only between
/// runs with the same <c>intraOpThreads</c>.
/// </summary>
public sealed class TorchSposBackendFactory : ITrainerBackendFactory, IDisposable
{
    /// <summary>Where Debian's dataset-fashion-mnist package puts the files.</summary>
    public const string DefaultDataDirectory = FashionMnist.DefaultDirectory;

    private readonly SupernetSpec _supernet;
    private readonly TrainSpec _train;
    private readonly Lazy<DatasetSplits> _data;
    private readonly Lazy<CostTable> _costs;
    private readonly CheckpointStore _store;
    private readonly int _threads;
    private bool _disposed;

    /// <param name="supernet">Supernet shape (nas.supernet).</param>
    /// <param name="train">Training and scoring hyper-parameters.</param>
    /// <param name="data">Fashion-MNIST directory and split sizes.</param>
    /// <param name="checkpointDirectory">Directory of content-addressed checkpoint files; created on first write.</param>
    /// <param name="intraOpThreads">libtorch intra-op threads for the whole process (>= 1).</param>
    public TorchSposBackendFactory(SupernetSpec supernet, TrainSpec train, DataSpec data, string checkpointDirectory, int intraOpThreads)
        : this(supernet, train, () => FashionMnist.Load(data), checkpointDirectory, intraOpThreads)
    {
    }

    /// <summary>For tests and benchmarks: in-memory data, owned (and disposed) by this factory.</summary>
    internal TorchSposBackendFactory(SupernetSpec supernet, TrainSpec train, DatasetSplits data, string checkpointDirectory, int intraOpThreads)
        : this(supernet, train, () => data, checkpointDirectory, intraOpThreads)
    {
    }

    private TorchSposBackendFactory(SupernetSpec supernet, TrainSpec train, Func<DatasetSplits> loadData, string checkpointDirectory, int intraOpThreads)
    {
        CheckTrainSpec(train);
        if (intraOpThreads < 1)
            throw new NasUserException($"nas.trainers.intra-op-threads = {intraOpThreads} must be at least 1");
        _supernet = supernet;
        _train = train;
        Space = SposSpace.Create(supernet);
        _store = new CheckpointStore(checkpointDirectory);
        _threads = intraOpThreads;
        torch.set_num_threads(intraOpThreads);
        _data = new Lazy<DatasetSplits>(loadData, LazyThreadSafetyMode.ExecutionAndPublication);
        _costs = new Lazy<CostTable>(() =>
        {
            using var net = new SposSupernet(_supernet);
            return FlopsCounter.Count(net);
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public SearchSpace Space { get; }

    public CostTable Costs => _costs.Value;

    public string CheckpointDirectory => _store.Directory;

    /// <summary>
    /// Checks up front what <see cref="Create"/> would reject later: every device name, the data (loaded here, once,
    /// and kept for the backends) and that the training split holds at least one batch. Throws <see cref="NasUserException"/>.
    /// </summary>
    public void Validate(IEnumerable<string> devices)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var d in devices) TrainerDevice.Resolve(d);
        _ = new BatchSchedule(_data.Value.Train, _train.BatchSize, _train.Seed);
        _ = Costs;
    }

    public ITrainerBackend Create(string device)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var resolved = TrainerDevice.Resolve(device);
        // Also on the trainer's own thread: libtorch applies the count to a thread when it first runs parallel work.
        torch.set_num_threads(_threads);
        // SPOS trains uniform paths (no policy); its reward minibatches, if ever asked for, use the eval batch size.
        return new TorchSupernetBackend(device, resolved, new SposSupernet(_supernet), Space, Costs, _train, _data.Value, _store,
            rewardImages: _train.EvalBatchSize, pathEvery: 1);
    }

    internal static void CheckTrainSpec(TrainSpec t)
    {
        if (t.BatchSize < 1) throw new NasUserException($"nas.train.batch-size = {t.BatchSize} must be at least 1");
        if (t.EvalBatchSize < 1) throw new NasUserException($"nas.train.eval-batch-size = {t.EvalBatchSize} must be at least 1");
        if (!(t.LearningRate > 0) || double.IsInfinity(t.LearningRate)) throw new NasUserException($"nas.train.learning-rate = {t.LearningRate} must be a positive number");
        if (!(t.Momentum >= 0 && t.Momentum < 1)) throw new NasUserException($"nas.train.momentum = {t.Momentum} must be in [0, 1)");
        if (!(t.WeightDecay >= 0) || double.IsInfinity(t.WeightDecay)) throw new NasUserException($"nas.train.weight-decay = {t.WeightDecay} must be 0 or positive");
        if (t.TotalSteps < 1) throw new NasUserException($"nas.train.total-steps = {t.TotalSteps} must be at least 1");
        if (t.BnRecalibrationBatches < 0) throw new NasUserException($"nas.train.bn-recalibration-batches = {t.BnRecalibrationBatches} must be 0 or more");
        if (t.ValidationImages < 0) throw new NasUserException($"nas.train.validation-images = {t.ValidationImages} must be 0 or more");
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_data.IsValueCreated) _data.Value.Dispose();
    }
}
