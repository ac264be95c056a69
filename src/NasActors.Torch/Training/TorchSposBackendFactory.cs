using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Torch.Data;
using NasActors.Torch.Spaces;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>Builds SPOS trainer backends (one per device): the ShuffleNetV2 supernet trained on uniformly sampled paths.</summary>
public sealed class TorchSposBackendFactory : TorchBackendFactory
{
    private readonly SupernetSpec _supernet;

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
        : base(SposSpace.Create(supernet), train, loadData, checkpointDirectory, intraOpThreads, () =>
        {
            using var net = new SposSupernet(supernet);
            return FlopsCounter.Count(net);
        }) =>
        _supernet = supernet;

    // SPOS trains uniform paths (no policy); its reward minibatches, if ever asked for, use the eval batch size.
    private protected override ITrainerBackend CreateBackend(string device, Device resolved) =>
        new TorchSupernetBackend(device, resolved, new SposSupernet(_supernet), Space, Costs, Train, Data, Store,
            rewardImages: Train.EvalBatchSize, pathEvery: 1);
}
