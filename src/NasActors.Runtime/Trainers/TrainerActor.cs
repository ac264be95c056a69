using Akka.Actor;
using Akka.Event;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.Training;
using NasActors.Runtime.Serialization;
using static NasActors.Runtime.Experiment.ExperimentProtocol;

namespace NasActors.Runtime.Trainers;

internal sealed class TrainerActor : ReceiveActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    private readonly TrainerProtocol.Settings _settings;
    private readonly ITrainerBackendFactory _factory;
    private readonly IActorRef _experiment;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly WorkerThread _worker;
    private readonly CancellationTokenSource _cts = new();
    private ITrainerBackend? _backend;
    private string? _current;
    // Results not yet acknowledged by the experiment, re-sent until they are (they may be lost in a coordinator handover).
    private readonly Dictionary<string, WorkResult> _unacked = new();

    private sealed record Done(string Key, WorkResult Result);
    private sealed record Error(string Key, Exception Exception);
    private sealed record RetryTick
    {
        public static readonly RetryTick Instance = new();
    }

    public TrainerActor(TrainerProtocol.Settings settings, ITrainerBackendFactory factory, IActorRef experiment)
    {
        _settings = settings;
        _factory = factory;
        _experiment = experiment;
        _worker = new WorkerThread("trainer-" + settings.Device);

        Receive<WorkItem>(OnWork);
        Receive<Done>(d =>
        {
            _current = null;
            _unacked[d.Key] = d.Result;
            if (!Timers.IsTimerActive("retry")) Timers.StartPeriodicTimer("retry", RetryTick.Instance, _settings.Retry);
            _experiment.Tell(d.Result);
            _experiment.Tell(new RequestWork(Self));
        });
        Receive<ResultAcknowledged>(a =>
        {
            _unacked.Remove(a.Key);
            if (_unacked.Count == 0) Timers.Cancel("retry");
        });
        Receive<RetryTick>(_ =>
        {
            foreach (var result in _unacked.Values) _experiment.Tell(result);
        });
        Receive<RegisterAgain>(_ => Register());
        Receive<TrainerProtocol.Reconnect>(_ => Register());
        Receive<RegistrationRefused>(r =>
        {
            _log.Error("trainer {0} was refused by the experiment: {1}. It stops; run the same NasActors version and experiment config on every node", _settings.Device, r.Reason);
            Context.Stop(Self);
        });
        Receive<Error>(e =>
        {
            _current = null;
            var inner = e.Exception is AggregateException a ? a.InnerException ?? a : e.Exception;
            var user = inner is NasUserException;
            if (!user) _log.Error(inner, "work {0} failed on {1}", e.Key, _settings.Device);
            _experiment.Tell(new WorkFailed(e.Key, _settings.Device, inner.Message, user));
        });
        Receive<TrainProgress>(p => _experiment.Tell(new TrainerProgressed(_settings.Device, p)));
    }

    protected override void PreStart() => Register();

    private void Register() => _experiment.Tell(new RegisterTrainer(Self, _settings.Device, _settings.SpaceHash, NasProtocol.Current, _current));

    protected override void PostStop()
    {
        _cts.Cancel();
        // Dispose the backend on its own thread, after any running job (even one still creating it) has finished.
        _worker.Run(() => { _backend?.Dispose(); _backend = null; return 0; });
        _worker.Dispose();
        _cts.Dispose();
    }

    private void OnWork(WorkItem work)
    {
        if (_current is not null)
        {
            // The experiment re-sent work (e.g. after a lease expiry) while we are busy: it will come back later.
            _log.Warning("{0} busy with {1}; refusing {2}", _settings.Device, _current, work.Key);
            return;
        }
        _current = work.Key;
        var self = Self;
        var ct = _cts.Token;
        _worker.Run(() =>
        {
            var backend = _backend ??= _factory.Create(_settings.Device);
            ct.ThrowIfCancellationRequested();
            // The work knows what it needs of the backend: no case here per kind of work.
            return work.Execute(new WorkContext(backend, p => self.Tell(p), ct));
        }).PipeTo(self, success: r => new Done(work.Key, r), failure: e => new Error(work.Key, e));
    }
}
