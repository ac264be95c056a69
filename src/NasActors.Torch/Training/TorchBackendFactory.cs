using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Torch.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>
/// What every Torch backend factory shares: one copy of Fashion-MNIST, loaded on first use; one checkpoint directory;
/// the cost table of its supernet, counted once; the process-wide intra-op thread count (results are bit-identical
/// only between runs with the same <c>intraOpThreads</c>). Subclasses say which supernet their backends train.
/// </summary>
public abstract class TorchBackendFactory : ITrainerBackendFactory, IDisposable
{
    /// <summary>Where Debian's dataset-fashion-mnist package puts the files.</summary>
    public const string DefaultDataDirectory = FashionMnist.DefaultDirectory;

    private readonly Lazy<DatasetSplits> _data;
    private readonly Lazy<ICostModel> _costs;
    private bool _disposed;

    private protected TorchBackendFactory(SearchSpace space, TrainSpec train, Func<DatasetSplits> loadData, string checkpointDirectory,
        int intraOpThreads, Func<ICostModel> countCosts)
    {
        CheckTrainSpec(train);
        if (intraOpThreads < 1)
            throw new NasUserException($"nas.trainers.intra-op-threads = {intraOpThreads} must be at least 1");
        Space = space;
        Train = train;
        Store = new CheckpointStore(checkpointDirectory);
        Threads = intraOpThreads;
        torch.set_num_threads(intraOpThreads);
        _data = new Lazy<DatasetSplits>(loadData, LazyThreadSafetyMode.ExecutionAndPublication);
        _costs = new Lazy<ICostModel>(countCosts, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public SearchSpace Space { get; }

    public ICostModel Costs => _costs.Value;

    public string CheckpointDirectory => Store.Directory;

    private protected TrainSpec Train { get; }
    private protected CheckpointStore Store { get; }
    private protected int Threads { get; }
    private protected DatasetSplits Data => _data.Value;

    /// <summary>
    /// Checks up front what <see cref="Create"/> would reject later: every device name, the data (loaded here, once,
    /// and kept for the backends), that the training split holds at least one batch, and what the subclass adds.
    /// Throws <see cref="NasUserException"/>.
    /// </summary>
    public void Validate(IEnumerable<string> devices)
    {
        ThrowIfDisposed();
        foreach (var d in devices) TrainerDevice.Resolve(d);
        _ = new BatchSchedule(Data.Train, Train.BatchSize, Train.Seed);
        ValidateData(Data);
        _ = Costs;
    }

    private protected virtual void ValidateData(DatasetSplits data) { }

    public ITrainerBackend Create(string device)
    {
        ThrowIfDisposed();
        var resolved = TrainerDevice.Resolve(device);
        // Also on the trainer's own thread: libtorch applies the count to a thread when it first runs parallel work.
        torch.set_num_threads(Threads);
        return CreateBackend(device, resolved);
    }

    private protected abstract ITrainerBackend CreateBackend(string device, Device resolved);

    private protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static void CheckTrainSpec(TrainSpec t)
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

    /// <summary>Frees what a subclass holds besides the data.</summary>
    private protected virtual void DisposeModels() { }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_data.IsValueCreated) _data.Value.Dispose();
        DisposeModels();
    }
}
