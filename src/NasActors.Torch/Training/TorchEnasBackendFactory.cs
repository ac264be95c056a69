using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Torch.Controllers;
using NasActors.Torch.Data;
using NasActors.Torch.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>
/// Builds ENAS trainer backends (one per device: the micro supernet, trained on paths the controller policy samples,
/// scored on reward minibatches) and ENAS controller policies, which share the checkpoint directory.
/// </summary>
public sealed class TorchEnasBackendFactory : TorchBackendFactory, IPolicyBackendFactory
{
    private readonly EnasMicroSpec _spec;
    private readonly ControllerSpec _controller;
    private readonly int _rewardImages;
    private readonly int _pathEvery;

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
        : base(EnasMicroSpace.Create(space), train, loadData, checkpointDirectory, intraOpThreads, () =>
        {
            using var net = new EnasMicroSupernet(space);
            return FlopsCounter.Count(net);
        })
    {
        if (rewardImages < 1)
            throw new NasUserException($"nas.enas.controller.reward-images = {rewardImages} must be at least 1");
        if (pathEvery < 1)
            throw new NasUserException($"nas.enas.path-every = {pathEvery} must be at least 1 (supernet steps per sampled path)");
        EnasPolicyNet.Check(Space, controller);
        (_spec, _controller, _rewardImages, _pathEvery) = (space, controller, rewardImages, pathEvery);
    }

    /// <summary>Also: the validation split holds at least one reward minibatch.</summary>
    private protected override void ValidateData(DatasetSplits data)
    {
        var validation = data.Validation.Count;
        if (validation < _rewardImages)
            throw new NasUserException($"the validation split has {validation} images, fewer than one reward minibatch of {_rewardImages}: lower nas.enas.controller.reward-images or raise nas.data.validation-size");
    }

    private protected override ITrainerBackend CreateBackend(string device, Device resolved) =>
        new TorchSupernetBackend(device, resolved, new EnasMicroSupernet(_spec), Space, Costs, Train, Data, Store,
            _rewardImages, _pathEvery, CreatePolicyBackend);

    public IPolicyBackend CreatePolicy()
    {
        ThrowIfDisposed();
        torch.set_num_threads(Threads);
        return CreatePolicyBackend();
    }

    private TorchPolicyBackend CreatePolicyBackend() => new(Space, _controller, Store);
}
