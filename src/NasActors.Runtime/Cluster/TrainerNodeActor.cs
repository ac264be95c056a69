using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.Training;
using NasActors.Runtime.Trainers;
using static NasActors.Runtime.Cluster.CoordinatorProtocol;

namespace NasActors.Runtime.Cluster;

internal sealed class TrainerNodeActor : ReceiveActor
{
    private readonly TrainerNodeProtocol.Settings _settings;
    private readonly Func<string, string, ITrainerBackendFactory> _factories;
    private readonly IActorRef _coordinator;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private string? _name;
    private string? _incarnation;
    private bool _building;
    private string? _failed;
    private ITrainerBackendFactory? _factory;
    private readonly List<IActorRef> _trainers = [];
    // Factories of experiments whose trainers are stopping: disposed once the last of them has stopped.
    private readonly Dictionary<IActorRef, ITrainerBackendFactory> _retiring = new();

    private sealed record Built(ExperimentAnnounced Announced, ITrainerBackendFactory Factory);
    private sealed record BuildFailed(ExperimentAnnounced Announced, Exception Error);

    public TrainerNodeActor(TrainerNodeProtocol.Settings settings, Func<string, string, ITrainerBackendFactory> factories, IActorRef coordinator)
    {
        _settings = settings;
        _factories = factories;
        _coordinator = coordinator;

        Receive<SubscribeAck>(_ => { });
        Receive<ExperimentAnnounced>(OnAnnounced);
        Receive<Built>(OnBuilt);
        Receive<BuildFailed>(f =>
        {
            _building = false;
            _failed = f.Announced.Name;
            var e = f.Error.GetBaseException();
            if (e is NasUserException) _log.Error("cannot run trainers for experiment '{0}': {1}", f.Announced.Name, e.Message);
            else _log.Error(e, "cannot run trainers for experiment '{0}'", f.Announced.Name);
        });
        Receive<Terminated>(t =>
        {
            _trainers.Remove(t.ActorRef);
            if (_retiring.Remove(t.ActorRef, out var old) && !_retiring.ContainsValue(old)) (old as IDisposable)?.Dispose();
        });
    }

    protected override void PreStart() =>
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(TrainersTopic, Self));

    protected override void PostStop() => (_factory as IDisposable)?.Dispose();

    private void OnAnnounced(ExperimentAnnounced a)
    {
        if (_building) return;
        if (a.Name == _name)
        {
            if (a.Incarnation == _incarnation) return;
            _log.Info("the coordinator of experiment '{0}' is now {1}; {2} trainer(s) register again", a.Name, a.Incarnation, _trainers.Count);
            _incarnation = a.Incarnation;
            foreach (var t in _trainers) t.Tell(TrainerProtocol.Reconnect.Instance);
            return;
        }
        if (a.Name == _failed) return;
        Retire();
        _building = true;
        _name = a.Name;
        _log.Info("experiment '{0}' announced (coordinator {1}); preparing {2} trainer(s)", a.Name, a.Incarnation, _settings.Devices.Length);
        var factories = _factories;
        var devices = _settings.Devices;
        Task.Run(() =>
        {
            var f = factories(a.Name, a.ConfigText);
            try { f.Validate(devices); }
            catch { (f as IDisposable)?.Dispose(); throw; }
            return f;
        }).PipeTo(Self, success: f => new Built(a, f), failure: e => new BuildFailed(a, e));
    }

    private void OnBuilt(Built b)
    {
        _building = false;
        _factory = b.Factory;
        _incarnation = b.Announced.Incarnation;
        if (b.Factory.Space.Hash != b.Announced.SpaceHash)
            _log.Warning("experiment '{0}': this node builds search space {1}, the coordinator's is {2}; its trainers will be refused",
                b.Announced.Name, Hashes.Short(b.Factory.Space.Hash), Hashes.Short(b.Announced.SpaceHash));
        for (var i = 0; i < _settings.Devices.Length; i++)
        {
            var t = Context.ActorOf(TrainerProtocol.Props(new TrainerProtocol.Settings(_settings.Devices[i], b.Factory.Space.Hash, _settings.RetryInterval),
                b.Factory, _coordinator), $"{b.Announced.Name}-trainer-{i}");
            Context.Watch(t);
            _trainers.Add(t);
        }
        _log.Info("experiment '{0}': {1} trainer(s) started [{2}]", b.Announced.Name, _trainers.Count, string.Join(", ", _settings.Devices));
    }

    private void Retire()
    {
        if (_factory is { } f)
        {
            if (_trainers.Count == 0) (f as IDisposable)?.Dispose();
            foreach (var t in _trainers)
            {
                _retiring[t] = f;
                Context.Stop(t);
            }
        }
        _trainers.Clear();
        _factory = null;
    }
}
