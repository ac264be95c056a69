using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Training;
using NasActors.Runtime.Serialization;
using static NasActors.Runtime.Experiment.ExperimentProtocol;
using Settings = NasActors.Runtime.Experiment.ExperimentProtocol.Settings;

namespace NasActors.Runtime.Experiment;

/// <summary>
/// Persistent generic scheduler around a plan. The journal holds the experiment's <see cref="Started"/> and the plan's
/// events; what is queued or in flight is asked of the plan again after recovery and redone, so a crash loses at most
/// in-flight work. No case here knows a strategy: the plan says what comes next.
/// </summary>
internal sealed class ExperimentActor : ReceivePersistentActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    private readonly Settings _settings;
    private readonly IPlan _plan;
    private readonly IActorRef _listener;
    private readonly ICheckpointJanitor? _janitor;
    private readonly IStoreKeeper? _keeper;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private Started? _started;
    private bool _otherPlan; // the journal's Started names another search space or strategy than the settings
    private object _state;

    // Volatile scheduling state: rebuilt from the plan after every restart.
    private readonly List<WorkItem> _queue = [];
    private readonly Dictionary<string, (WorkItem Work, IActorRef Trainer, long Deadline)> _inFlight = new();
    private readonly Dictionary<IActorRef, string> _trainers = new();
    private readonly List<IActorRef> _idle = [];
    private readonly HashSet<string> _requeued = [];
    private readonly Dictionary<IActorRef, int> _progressImages = new(); // images of the running slice, per trainer
    private bool _dispatchedSinceStart;
    private bool _failed;
    private bool _finished;
    private bool _persisting;
    private readonly Stopwatch _clock = new();
    private double _imagesAtStart = -1;

    public override string PersistenceId { get; }

    public ExperimentActor(Settings settings, IPlan plan, IActorRef listener, ICheckpointJanitor? janitor, IStoreKeeper? keeper = null)
    {
        _keeper = keeper;
        _settings = settings;
        _plan = plan;
        _listener = listener;
        _janitor = janitor;
        _state = plan.Initial;
        PersistenceId = ExperimentProtocol.PersistenceId(settings.Name);

        Recover<Started>(e =>
        {
            CheckReplayed();
            _started = e;
            _otherPlan = e.SpaceHash != _settings.Space.Hash || e.Strategy != _settings.Strategy;
        });
        // A journal of another space or strategy is refused once recovered (OnRecovered says what differs); its events
        // are not this plan's to fold (they could make Apply throw, which would report the journal as corrupt).
        Recover<PlanEvent>(e =>
        {
            CheckReplayed();
            if (!_otherPlan) _state = _plan.Apply(_state, e);
        });
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<GetStatus>(_ => Sender.Tell(Status()));
        Command<RegisterTrainer>(OnRegister);
        Command<RequestWork>(r =>
        {
            // An unknown trainer (this actor restarted or moved to another node) must register, with its version, first.
            if (!_trainers.ContainsKey(r.Trainer))
            {
                r.Trainer.Tell(RegisterAgain.Instance);
                return;
            }
            MarkIdle(r.Trainer);
            Dispatch();
        });
        Command<Terminated>(t => OnTrainerLost(t.ActorRef));
        Command<WorkResult>(OnResult);
        Command<WorkFailed>(OnWorkFailed);
        Command<TrainerProgressed>(OnProgress);
        Command<LeaseTick>(_ => CheckLeases());
    }

    private long _replayed;

    /// <summary>
    /// The replayed events must be numbered 1..N, each once: the journal's replay filter catches events of a replaced
    /// writer but neither a gap (a lost row) nor a repeated number from the same writer. Throwing fails the recovery.
    /// </summary>
    private void CheckReplayed()
    {
        var expected = ++_replayed;
        if (LastSequenceNr == expected) return;
        throw new InvalidOperationException(LastSequenceNr < expected
            ? $"event {LastSequenceNr} of {PersistenceId} appears twice"
            : $"event {expected} of {PersistenceId} is missing (the next is {LastSequenceNr})");
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        // Not base: it logs the exception with its stack trace to stdout. The actor stops either way.
        _listener.Tell(new Failed($"the journal of experiment '{_settings.Name}' cannot be replayed ({OneLine(reason.GetBaseException().Message)}); it is corrupt or from another version: restore the store from a backup or start a new experiment", true));
    }

    /// <summary>Akka's replay-filter messages span lines; a failure is reported as one.</summary>
    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // Say what is known: the host turns a full disk into its one line (it knows the path); only a lock or busy
        // error suggests another writer.
        var why = OneLine(cause.GetBaseException().Message);
        var hint = why.Contains("locked", StringComparison.OrdinalIgnoreCase) || why.Contains("busy", StringComparison.OrdinalIgnoreCase)
            ? "; is another process running it?"
            : why.Contains("readonly", StringComparison.OrdinalIgnoreCase) || why.Contains("read-only", StringComparison.OrdinalIgnoreCase)
                ? "; its store is read-only: copy it to writable storage to resume it" : "";
        _listener.Tell(new Failed($"experiment '{_settings.Name}' could not write its journal ({why}){hint}", true));
        // Not base: it logs the same failure again with its stack trace. The actor stops either way.
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _listener.Tell(new Failed($"experiment '{_settings.Name}': event {@event.GetType().Name} was rejected by the journal ({cause.GetBaseException().Message})", false));
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    private sealed record LeaseTick
    {
        public static readonly LeaseTick Instance = new();
    }

    private void OnRecovered()
    {
        if (_started is { } s)
        {
            if (s.SpaceHash != _settings.Space.Hash || s.Strategy != _settings.Strategy)
            {
                Fail($"experiment '{_settings.Name}' was started with strategy {s.Strategy} on search space {s.Space} ({Hashes.Short(s.SpaceHash)}), but its config now gives {_settings.Strategy} on {_settings.Space.Name} ({Hashes.Short(_settings.Space.Hash)}); resume it with its original config", true);
                return;
            }
            if (!_settings.ReadOnly && s.SettingsHash != _settings.SettingsHash)
            {
                Fail($"experiment '{_settings.Name}' was started with different settings (fingerprint {Hashes.Short(s.SettingsHash)}, now {Hashes.Short(_settings.SettingsHash)}): its config.conf or the defaults changed; restore them to resume, or start a new experiment", true);
                return;
            }
        }
        if (_settings.ReadOnly) return;
        Timers.StartPeriodicTimer("lease", LeaseTick.Instance, TimeSpan.FromSeconds(1));
        if (_started is null)
        {
            var sp = _settings.Space;
            Persist(new Started(ExperimentProtocol.Format, _settings.Name, sp.Name, sp.Hash, sp.Choices, _settings.Strategy, _settings.Seed, _settings.SettingsHash),
                e =>
                {
                    _started = e;
                    if (Kept()) Drive();
                });
        }
        else Drive();
    }

    /// <summary>Asks the plan what comes next and does it: journal its decisions, queue its work, or end.</summary>
    private void Drive()
    {
        if (_failed || _finished || _persisting) return;
        switch (_plan.Next(_state))
        {
            case PlanStep.Emit emit:
                JournalEvents(emit.Events, Drive);
                return;
            case PlanStep.Run run:
                // The queue is exactly the plan's wanted work that is not in flight, in the plan's order.
                _queue.Clear();
                foreach (var w in run.Work)
                    if (!_inFlight.ContainsKey(w.Key) && _queue.All(q => q.Key != w.Key)) _queue.Add(w);
                // A plan that waits for nothing would wait forever: a plan bug, not a search that is working.
                if (run.Work.IsEmpty && _inFlight.Count == 0)
                {
                    Fail($"strategy {_settings.Strategy} asked for no work while none is in flight, in phase {CurrentStatus().Phase}: its plan cannot go on", false);
                    return;
                }
                Dispatch();
                return;
            case PlanStep.Finish:
                _finished = true;
                _queue.Clear();
                _listener.Tell(new Completed(Status()));
                return;
            case PlanStep.Fail f:
                Fail(f.Reason, f.UserError);
                return;
        }
    }

    /// <summary>Tells the store keeper what is journaled now; false (and the experiment failed) if it could not record it.</summary>
    private bool Kept()
    {
        try
        {
            _keeper?.Persisted(LastSequenceNr);
            return true;
        }
        catch (NasUserException e)
        {
            Fail(e.Message, true);
            return false;
        }
    }

    /// <summary>Persists <paramref name="events"/>, applies each once it is journaled, then reports and runs <paramref name="then"/>.</summary>
    private void JournalEvents(ImmutableArray<PlanEvent> events, Action then)
    {
        if (events.IsEmpty)
        {
            then();
            return;
        }
        _persisting = true;
        var left = events.Length;
        PersistAll(events, e =>
        {
            var before = _state;
            _state = _plan.Apply(_state, e);
            // Only now that the event is journaled can nothing need what it made obsolete.
            var released = _plan.Released(before, e);
            if (!released.IsEmpty) _janitor?.Release(released);
            if (--left > 0) return;
            _persisting = false;
            if (!Kept()) return;
            _listener.Tell(new Progressed(Status(), null, ImagesPerSecond()));
            then();
        });
    }

    private void OnResult(WorkResult r)
    {
        Complete(r.Key);
        var sender = Sender;
        if (_started is null || _failed || _settings.ReadOnly)
        {
            Ack(sender, r.Key);
            return;
        }
        var events = _plan.OnResult(_state, r);
        // Empty: late, unknown or duplicate. Either way the result is safe once journaled: acknowledge after that.
        JournalEvents(events, () =>
        {
            Ack(sender, r.Key);
            Drive();
        });
    }

    private void Dispatch()
    {
        while (_queue.Count > 0 && _idle.Count > 0 && !_failed)
        {
            var trainer = _idle[0];
            _idle.RemoveAt(0);
            var work = _queue[0];
            _queue.RemoveAt(0);
            // Monotonic clock: a wall-clock jump (NTP, suspend) must not expire every lease at once.
            _inFlight[work.Key] = (work, trainer, Environment.TickCount64 + (long)_settings.LeaseTimeout.TotalMilliseconds);
            trainer.Tell(work);
            // Operators (and the failover benchmark) see when work flows again after a restart or a lost trainer.
            if (!_dispatchedSinceStart)
            {
                _dispatchedSinceStart = true;
                _log.Info("first work since start: {0} to {1}", work.Key, trainer.Path);
            }
            if (_requeued.Remove(work.Key)) _log.Info("work {0} handed out again, to {1}", work.Key, trainer.Path);
        }
    }

    private void OnRegister(RegisterTrainer r)
    {
        var refusal = r.ProtocolVersion != NasProtocol.Current
            ? $"protocol version {r.ProtocolVersion}, this coordinator speaks {NasProtocol.Current}"
            : r.SpaceHash is { } h && h != _settings.Space.Hash
                ? $"search space {Hashes.Short(h)}, experiment '{_settings.Name}' searches {Hashes.Short(_settings.Space.Hash)}"
                : null;
        if (refusal is not null)
        {
            _log.Warning("refused trainer {0} ({1}) at {2}: {3}; it gets no work. Run the same NasActors version and experiment config on every node",
                r.Device, r.Trainer.Path, r.Trainer.Path.Address, refusal);
            r.Trainer.Tell(new RegistrationRefused(refusal));
            return;
        }
        if (_trainers.TryAdd(r.Trainer, r.Device)) Context.Watch(r.Trainer);
        if (r.Holding is null) MarkIdle(r.Trainer);
        Dispatch();
    }

    /// <summary>Tells a trainer its result is safe, so it stops re-sending it.</summary>
    private static void Ack(IActorRef trainer, string key) => trainer.Tell(new ResultAcknowledged(key));

    private void MarkIdle(IActorRef trainer)
    {
        if (!_trainers.ContainsKey(trainer) || _idle.Contains(trainer)) return;
        _progressImages.Remove(trainer);
        // A trainer asking for work has finished whatever it held (e.g. after its lease expired).
        foreach (var k in _inFlight.Where(kv => kv.Value.Trainer.Equals(trainer)).Select(kv => kv.Key).ToList())
            Requeue(k);
        _idle.Add(trainer);
    }

    private void OnTrainerLost(IActorRef trainer)
    {
        _trainers.Remove(trainer);
        _idle.Remove(trainer);
        _progressImages.Remove(trainer);
        foreach (var k in _inFlight.Where(kv => kv.Value.Trainer.Equals(trainer)).Select(kv => kv.Key).ToList())
            Requeue(k);
        _log.Warning("trainer {0} stopped; its work is handed out again", trainer.Path);
        Dispatch();
    }

    private void Requeue(string key)
    {
        if (!_inFlight.Remove(key, out var f)) return;
        _requeued.Add(key);
        _queue.Insert(0, f.Work);
    }

    private void CheckLeases()
    {
        var now = Environment.TickCount64;
        foreach (var (k, f) in _inFlight.Where(kv => kv.Value.Deadline < now).ToList())
        {
            _log.Warning("lease of {0} on {1} expired after {2}; handing it out again", k, f.Trainer.Path, _settings.LeaseTimeout);
            // The stuck trainer stays out of the idle set until it asks for work again.
            Requeue(k);
        }
        Dispatch();
    }

    private void Complete(string key)
    {
        if (_inFlight.Remove(key, out var f)) _progressImages.Remove(f.Trainer);
        _requeued.Remove(key);
        _queue.RemoveAll(q => q.Key == key);
    }

    private void OnWorkFailed(WorkFailed f)
    {
        // A failure of work this trainer no longer holds (its lease expired and the work was done or handed on, e.g.
        // its start checkpoint is gone now) is stale: the work's fate is someone else's.
        if (!_inFlight.TryGetValue(f.Key, out var held) || !held.Trainer.Equals(Sender))
        {
            _log.Info("ignoring a stale failure of {0} on {1}: {2}", f.Key, f.Device, f.Reason);
            // The trainer is idle now (it reports a failure instead of asking for work): without this it would never
            // get work again, and an experiment whose only trainer it is would wait forever.
            if (!_inFlight.Values.Any(v => v.Trainer.Equals(Sender)))
            {
                MarkIdle(Sender);
                Dispatch();
            }
            return;
        }
        _inFlight.Remove(f.Key);
        Fail($"{f.Key} failed on {f.Device}: {f.Reason}", f.UserError);
    }

    private void Fail(string reason, bool userError)
    {
        if (_failed) return;
        _failed = true;
        _log.Info("experiment {0} failed: {1}", _settings.Name, reason); // the CLI prints it once, on stderr
        _listener.Tell(new Failed(reason, userError));
    }

    private void OnProgress(TrainerProgressed p)
    {
        // A trainer that reports progress is alive and working: its leases run from now.
        var deadline = Environment.TickCount64 + (long)_settings.LeaseTimeout.TotalMilliseconds;
        foreach (var (k, f) in _inFlight.Where(kv => kv.Value.Trainer.Equals(Sender)).ToList())
            _inFlight[k] = f with { Deadline = deadline };
        if (p.Progress.Round >= 0) _progressImages[Sender] = p.Progress.Images;
        _listener.Tell(new Progressed(Status(), p, ImagesPerSecond()));
    }

    /// <summary>Images/s of shared-weight training since this process took the experiment over, counting slices in flight.</summary>
    private double ImagesPerSecond()
    {
        var trained = CurrentStatus().Figures.GetValueOrDefault("images_trained");
        if (_imagesAtStart < 0)
        {
            if (_progressImages.Count == 0) return 0;
            _imagesAtStart = trained;
            _clock.Restart();
        }
        var secs = _clock.Elapsed.TotalSeconds;
        return secs > 0.5 ? (trained - _imagesAtStart + _progressImages.Values.Sum()) / secs : 0;
    }

    /// <summary>
    /// Bytes of ranking a status message may carry. Status crosses nodes (progress, the cluster's result), and remoting
    /// drops a frame over 128 kB; the full ranking is in the journal (`nas export --top K`).
    /// </summary>
    public const int StatusRankingBytes = 48 * 1024;

    private object? _statusOf;
    private PlanStatus? _status;

    /// <summary>The plan's status, computed once per state (progress ticks ask often; ranking sorts every score).</summary>
    private PlanStatus CurrentStatus()
    {
        if (_status is null || !ReferenceEquals(_statusOf, _state))
            (_status, _statusOf) = (_plan.Status(_state), _state);
        return _status;
    }

    private StatusResult Status()
    {
        var plan = CurrentStatus();
        var ranking = plan.Ranking.Length > _settings.StatusTop ? plan.Ranking[.._settings.StatusTop] : plan.Ranking;
        while (ranking.Length > 1 && System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(ranking, NasJson.Options).Length > StatusRankingBytes)
            ranking = ranking[..(ranking.Length / 2)];
        return new StatusResult(_settings.Name, ranking.Length == plan.Ranking.Length ? plan : plan with { Ranking = ranking }, _trainers.Count, _inFlight.Count);
    }
}
