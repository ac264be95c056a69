using System.Collections.Immutable;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.Strategies.Darts;
using NasActors.Core.Training;
using NasActors.Torch.Controllers;
using NasActors.Torch.Data;
using NasActors.Torch.Mutables;
using NasActors.Torch.Spaces;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>
/// Builds trainer backends (one per device) for any registered weight-sharing space: the space's supernet trained on
/// single paths, scored with BN recalibration, retrained alone; plus the capabilities the strategy asks for (today: a
/// controller policy, when <c>needs</c> holds its <see cref="ControllerSpec"/>; DARTS's mixed-op training, when it holds
/// <see cref="DartsSettings"/>).
/// </summary>
public sealed class TorchSupernetFactory : TorchBackendFactory
{
    private readonly SpaceModule _module;
    private readonly object _spec;
    private readonly ModelSpace _model; // the space read from it; measures costs when they do not add up
    private readonly ControllerSpec? _controller;
    private readonly DartsSettings? _darts;
    private readonly object _retrainSpec;

    /// <param name="space">The registered space (nas.space) and its spec (as its module read it).</param>
    /// <param name="needs">What the strategy needs beyond training and scoring (<see cref="StrategyModule.BackendNeeds"/>).</param>
    /// <param name="retrainSpec">The space's spec for retrained models (nas.retrain.space over nas.spaces.NAME); null: <paramref name="spec"/>.</param>
    public TorchSupernetFactory(SpaceModule space, object spec, ImmutableArray<object> needs, TrainSpec train, DataSpec data, string checkpointDirectory,
        int intraOpThreads, object? retrainSpec = null)
        : this(space, spec, needs, train, () => Datasets.Load(data), checkpointDirectory, intraOpThreads, data.Dataset, retrainSpec)
    {
    }

    /// <summary>For tests and benchmarks: in-memory data, owned (and disposed) by this factory.</summary>
    internal TorchSupernetFactory(SpaceModule space, object spec, ImmutableArray<object> needs, TrainSpec train, DatasetSplits data,
        string checkpointDirectory, int intraOpThreads, object? retrainSpec = null)
        : this(space, spec, needs, train, () => data, checkpointDirectory, intraOpThreads, retrainSpec: retrainSpec)
    {
    }

    private TorchSupernetFactory(SpaceModule space, object spec, ImmutableArray<object> needs, TrainSpec train, Func<DatasetSplits> loadData,
        string checkpointDirectory, int intraOpThreads, string dataset = "fashion-mnist", object? retrainSpec = null)
        : this(space, spec, ReadModel(space, spec), needs, train, loadData, checkpointDirectory, intraOpThreads, dataset, retrainSpec ?? spec)
    {
    }

    /// <param name="model">Read once here: its space is this factory's, and it stays to measure costs.</param>
    private TorchSupernetFactory(SpaceModule space, object spec, ModelSpace model, ImmutableArray<object> needs, TrainSpec train, Func<DatasetSplits> loadData,
        string checkpointDirectory, int intraOpThreads, string dataset, object retrainSpec)
        : base(model.Space, train, () => Datasets.Fit(loadData(), dataset, space.Name, model.InputShape), checkpointDirectory, intraOpThreads, () => model.CheckAndCount())
    {
        _module = space;
        _model = model;
        _spec = spec;
        _retrainSpec = retrainSpec;
        foreach (var need in needs.IsDefault ? [] : needs)
            switch (need)
            {
                case ControllerSpec c:
                    EnasPolicyNet.Check(Space, c);
                    _controller = c;
                    break;
                case DartsSettings d:
                    if (model.Model is not IMixedOpNetwork)
                        throw new NasUserException($"strategy darts needs a supernet that runs every edge as a mixed op; space {space.Name}'s model has none (use nas.space = darts)");
                    _darts = d;
                    break;
                default:
                    throw new NasUserException($"the Torch trainer backend cannot provide {need.GetType().Name}, which the strategy needs");
            }
    }

    /// <summary>
    /// The space as the model declares it. A built-in space is also described without TorchSharp (for status and export);
    /// the two must agree.
    /// </summary>
    private static ModelSpace ReadModel(SpaceModule space, object spec)
    {
        var model = SupernetCatalog.Create(space, spec);
        if (space is not ModelSpaceModule && space.CreateSpace(spec).Hash != model.Space.Hash)
        {
            model.Dispose();
            throw new InvalidOperationException($"the {space.Name} model's mutables and its Core description disagree");
        }
        return model;
    }

    private protected override void DisposeModels() => _model.Dispose();

    private protected override ITrainerBackend CreateBackend(string device, Device resolved) =>
        new TorchSupernetBackend(device, resolved, SupernetCatalog.Create(_module, _spec), Costs, Train, Data, Store,
            _controller is { } c ? () => new TorchPolicyBackend(Space, c, Store) : null,
            () => new TorchRetrainer(_module, _retrainSpec, Train.Seed, Data, Store, resolved, Train.EvalBatchSize), _darts);
}
