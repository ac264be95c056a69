using System.Collections.Immutable;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.Training;
using NasActors.Torch.Controllers;
using NasActors.Torch.Data;
using NasActors.Torch.Spaces;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>
/// Builds trainer backends (one per device) for any registered weight-sharing space: the space's supernet trained on
/// single paths, scored with BN recalibration, retrained alone; plus the capabilities the strategy asks for (today: a
/// controller policy, when <c>needs</c> holds its <see cref="ControllerSpec"/>).
/// </summary>
public sealed class TorchSupernetFactory : TorchBackendFactory
{
    private readonly string _spaceName;
    private readonly object _spec;
    private readonly ControllerSpec? _controller;

    /// <param name="space">The registered space (nas.space) and its spec (as its module read it).</param>
    /// <param name="needs">What the strategy needs beyond training and scoring (<see cref="StrategyModule.BackendNeeds"/>).</param>
    public TorchSupernetFactory(SpaceModule space, object spec, ImmutableArray<object> needs, TrainSpec train, DataSpec data, string checkpointDirectory,
        int intraOpThreads)
        : this(space, spec, needs, train, () => FashionMnist.Load(data), checkpointDirectory, intraOpThreads)
    {
    }

    /// <summary>For tests and benchmarks: in-memory data, owned (and disposed) by this factory.</summary>
    internal TorchSupernetFactory(SpaceModule space, object spec, ImmutableArray<object> needs, TrainSpec train, DatasetSplits data,
        string checkpointDirectory, int intraOpThreads)
        : this(space, spec, needs, train, () => data, checkpointDirectory, intraOpThreads)
    {
    }

    private TorchSupernetFactory(SpaceModule space, object spec, ImmutableArray<object> needs, TrainSpec train, Func<DatasetSplits> loadData,
        string checkpointDirectory, int intraOpThreads)
        : base(space.CreateSpace(spec), train, loadData, checkpointDirectory, intraOpThreads, () =>
        {
            using var net = SupernetCatalog.Create(space.Name, spec);
            return FlopsCounter.Count(net);
        })
    {
        _spaceName = space.Name;
        _spec = spec;
        foreach (var need in needs.IsDefault ? [] : needs)
            switch (need)
            {
                case ControllerSpec c:
                    EnasPolicyNet.Check(Space, c);
                    _controller = c;
                    break;
                default:
                    throw new NasUserException($"the Torch trainer backend cannot provide {need.GetType().Name}, which the strategy needs");
            }
    }

    private protected override ITrainerBackend CreateBackend(string device, Device resolved) =>
        new TorchSupernetBackend(device, resolved, SupernetCatalog.Create(_spaceName, _spec), Space, Costs, Train, Data, Store,
            _controller is { } c ? () => new TorchPolicyBackend(Space, c, Store) : null);
}
