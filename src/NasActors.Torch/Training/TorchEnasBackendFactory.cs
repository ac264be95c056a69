using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Torch.Controllers;
using NasActors.Torch.Data;
using NasActors.Torch.Spaces;
using TorchSharp;

namespace NasActors.Torch.Training;

/// <summary>
/// Builds ENAS trainer backends (one per device: the micro supernet, trained on paths the controller policy samples,
/// scored on reward minibatches) and ENAS controller policies. They share one copy of Fashion-MNIST, loaded on first
/// use, and one checkpoint directory for supernet and policy checkpoints. libtorch's intra-op thread count is
/// process-wide: results are bit-identical only between runs with the same <c>intraOpThreads</c>.
/// </summary>
public sealed class TorchEnasBackendFactory : ITrainerBackendFactory, IPolicyBackendFactory, IDisposable
{
    private readonly EnasMicroSpec _spec;
    private readonly ControllerSpec _controller;
    private readonly TrainSpec _train;
    private readonly int _rewardImages;
    private readonly int _pathEvery;
    private readonly Lazy<DatasetSplits> _data;
    private readonly Lazy<CostTable> _costs;
    private readonly CheckpointStore _store;
    private readonly int _threads;
    private bool _disposed;

    /// <param name="space">ENAS micro supernet shape (nas.enas).</param>
    /// <param name="controller">Controller policy hyper-parameters (nas.enas.controller).</param>
    /// <param name="train">Supernet training and scoring hyper-parameters.</param>
    /// <param name="rewardImages">Validation images per reward minibatch (nas.enas.controller.reward-images, >= 1).</param>
    /// <param name="pathEvery">Supernet steps that train one policy-sampled path (>= 1).</param>
    /// <param name="data">Fashion-MNIST directory and split sizes.</param>
    /// <param name="checkpointDirectory">Directory of content-addressed checkpoint files; created on first write.</param>
    /// <param name="intraOpThreads">libtorch intra-op threads for the whole process (>= 1).</param>
    public TorchEnasBackendFactory(EnasMicroSpec space, ControllerSpec controller, TrainSpec train, int rewardImages, int pathEvery,
        DataSpec data, string checkpointDirectory, int intraOpThreads)
        : this(space, controller, train, rewardImages, pathEvery, () => FashionMnist.Load(data), checkpointDirectory, intraOpThreads)
    {
    }

    /// <summary>For tests and benchmarks: in-memory data, owned (and disposed) by this factory.</summary>
    internal TorchEnasBackendFactory(EnasMicroSpec space, ControllerSpec controller, TrainSpec train, int rewardImages, int pathEvery,
        DatasetSplits data, string checkpointDirectory, int intraOpThreads)
        : this(space, controller, train, rewardImages, pathEvery, () => data, checkpointDirectory, intraOpThreads)
    {
    }

    private TorchEnasBackendFactory(EnasMicroSpec space, ControllerSpec controller, TrainSpec train, int rewardImages, int pathEvery,
        Func<DatasetSplits> loadData, string checkpointDirectory, int intraOpThreads)
    {
        TorchSposBackendFactory.CheckTrainSpec(train);
        if (intraOpThreads < 1)
            throw new NasUserException($"nas.trainers.intra-op-threads = {intraOpThreads} must be at least 1");
        if (rewardImages < 1)
            throw new NasUserException($"nas.enas.controller.reward-images = {rewardImages} must be at least 1");
        if (pathEvery < 1)
            throw new NasUserException($"nas.enas.path-every = {pathEvery} must be at least 1 (supernet steps per sampled path)");
        Space = EnasMicroSpace.Create(space); // validates the spec
        EnasPolicyNet.Check(Space, controller);
        (_spec, _controller, _train, _rewardImages, _pathEvery) = (space, controller, train, rewardImages, pathEvery);
        _store = new CheckpointStore(checkpointDirectory);
        _threads = intraOpThreads;
        torch.set_num_threads(intraOpThreads);
        _data = new Lazy<DatasetSplits>(loadData, LazyThreadSafetyMode.ExecutionAndPublication);
        _costs = new Lazy<CostTable>(() =>
        {
            using var net = new EnasMicroSupernet(_spec);
            return FlopsCounter.Count(net);
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public SearchSpace Space { get; }

    public CostTable Costs => _costs.Value;

    public string CheckpointDirectory => _store.Directory;

    /// <summary>
    /// Checks up front what <see cref="Create"/> and the reward scoring would reject later: every device name, the
    /// data (loaded here, once, and kept for the backends), that the training split holds at least one batch and the
    /// validation split at least one reward minibatch. Throws <see cref="NasUserException"/>.
    /// </summary>
    public void Validate(IEnumerable<string> devices)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var d in devices) TrainerDevice.Resolve(d);
        _ = new BatchSchedule(_data.Value.Train, _train.BatchSize, _train.Seed);
        var validation = _data.Value.Validation.Count;
        if (validation < _rewardImages)
            throw new NasUserException($"the validation split has {validation} images, fewer than one reward minibatch of {_rewardImages}: lower nas.enas.controller.reward-images or raise nas.data.validation-size");
        _ = Costs;
    }

    public ITrainerBackend Create(string device)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var resolved = TrainerDevice.Resolve(device);
        // Also on the trainer's own thread: libtorch applies the count to a thread when it first runs parallel work.
        torch.set_num_threads(_threads);
        var data = _data.Value;
        return new TorchSupernetBackend(device, resolved, new EnasMicroSupernet(_spec), Space, Costs, _train, data, _store,
            _rewardImages, _pathEvery, CreatePolicyBackend);
    }

    public IPolicyBackend CreatePolicy()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        torch.set_num_threads(_threads);
        return CreatePolicyBackend();
    }

    private TorchPolicyBackend CreatePolicyBackend() => new(Space, _controller, _store);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_data.IsValueCreated) _data.Value.Dispose();
    }
}
