using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Settings = NasActors.Runtime.Experiment.ExperimentProtocol.Settings;
using Akka.Event;
using Akka.Persistence;
using NasActors.Core.Experiments;
using NasActors.Core.Training;
using NasActors.Runtime.Controller;
using NasActors.Runtime.Population;
using NasActors.Runtime.Serialization;
using static NasActors.Runtime.Experiment.ExperimentProtocol;

namespace NasActors.Runtime.Experiment;

/// <summary>
/// Persistent coordinator. The journal holds only what is done (slices, rounds, the search result, the test score);
/// what is queued or in flight is derived from it after recovery and redone, so a crash loses at most in-flight work.
/// </summary>
internal sealed class ExperimentActor : ReceivePersistentActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    private readonly Settings _settings;
    private readonly IActorRef _population;
    private readonly IActorRef _listener;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private ExperimentState _state = ExperimentState.Empty;
    private int _eventsSinceSnapshot;

    // Volatile scheduling state: rebuilt from _state after every restart.
    private readonly List<Work> _queue = [];
    private readonly Dictionary<string, (Work Work, IActorRef Trainer, long Deadline)> _inFlight = new();
    private readonly Dictionary<IActorRef, string> _trainers = new();
    private readonly List<IActorRef> _idle = [];
    private readonly HashSet<string> _requeued = [];
    private bool _dispatchedSinceStart;
    // Trainers whose validation score is with the proposer, to be acknowledged once it is recorded.
    private readonly Dictionary<RolloutId, List<(IActorRef Trainer, string Key)>> _awaitingRecord = new();
    private bool _askedForRollouts;
    private bool _askedForPolicy;
    private bool _askedForSamples;
    private ControllerProtocol.SamplesResult? _samples;
    private bool _failed;
    private int _scoredThisRun;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Stopwatch _searchClock = new();
    private (double Loss, double Accuracy) _lastRound;
    private long _imagesAtStart = -1;
    private ScoredRollout? _best;
    private int _generation = -1;
    private int _scoredTotal;

    public override string PersistenceId { get; }

    private readonly ICheckpointJanitor? _janitor;

    public ExperimentActor(Settings settings, IActorRef population, IActorRef listener, ICheckpointJanitor? janitor)
    {
        _janitor = janitor;
        _settings = settings;
        _population = population;
        _listener = listener;
        PersistenceId = ExperimentProtocol.PersistenceId(settings.Name);

        Recover<SnapshotOffer>(o => _state = (ExperimentState)o.Snapshot);
        Recover<Started>(e => _state = _state.Apply(e));
        Recover<SliceCompleted>(e => _state = _state.Apply(e));
        Recover<RoundCompleted>(e => _state = _state.Apply(e));
        Recover<SearchCompleted>(e => _state = _state.Apply(e));
        Recover<TestCompleted>(e => _state = _state.Apply(e));
        Recover<PolicyAdopted>(e => _state = _state.Apply(e));
        Recover<RetrainCompleted>(e => _state = _state.Apply(e));
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
        Command<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_population))
                Fail($"the {(_settings.Enas ? "controller" : "population")} of experiment '{_settings.Name}' stopped: its journal could not be replayed or written (corrupt journal, or another process running this experiment)", true);
            else
                OnTrainerLost(t.ActorRef);
        });
        Command<SliceTrained>(OnSliceTrained);
        Command<SlicesMerged>(OnMerged);
        Command<RolloutScored>(OnScored);
        Command<RolloutRetrained>(OnRetrained);
        Command<WorkFailed>(OnWorkFailed);
        Command<TrainerProgressed>(OnProgress);
        Command<PopulationProtocol.RolloutsResult>(OnRollouts);
        Command<PopulationProtocol.ScoreRecordedResult>(OnScoreRecorded);
        Command<ControllerProtocol.PolicyResult>(OnPolicy);
        Command<ControllerProtocol.SamplesResult>(OnSamples);
        Command<ControllerProtocol.ControllerFailed>(f => Fail(f.Reason, f.UserError));
        Command<LeaseTick>(_ => CheckLeases());
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning("snapshot failed: {0}", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    protected override void PreStart()
    {
        Context.Watch(_population);
        base.PreStart();
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        // Not base: it logs the exception with its stack trace to stdout. The actor stops either way.
        _listener.Tell(new Failed($"the journal of experiment '{_settings.Name}' cannot be replayed ({reason.GetBaseException().Message}); it is corrupt or from another version: restore the store from a backup or start a new experiment", true));
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _listener.Tell(new Failed($"experiment '{_settings.Name}' could not write its journal ({cause.GetBaseException().Message}); is another process running it?", true));
        base.OnPersistFailure(cause, @event, sequenceNr);
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
        if (_state.Info is { } info && info.SpaceHash != _settings.SpaceHash)
        {
            Fail($"experiment '{_settings.Name}' was started with search space {info.SpaceHash} but the current config gives {_settings.SpaceHash}; resume it with its original config", true);
            return;
        }
        if (_settings.ReadOnly) return;
        if (_state.Info is { SettingsHash: { } recorded } && recorded != _settings.SettingsHash)
        {
            Fail($"experiment '{_settings.Name}' was started with different settings (fingerprint {Hashes.Short(recorded)}, now {Hashes.Short(_settings.SettingsHash)}): its config.conf or the defaults changed; restore them to resume, or start a new experiment", true);
            return;
        }
        if (_state.Info is { } i2 && (i2.Slots != _settings.Slots || i2.StepsPerSlot != _settings.StepsPerSlot))
        {
            Fail($"experiment '{_settings.Name}' was started with {i2.Slots} trainer slot(s) and {i2.StepsPerSlot} steps per slot; the config now gives {_settings.Slots} and {_settings.StepsPerSlot}. Resume with the original nas.trainers.devices and nas.train.total-steps", true);
            return;
        }
        Timers.StartPeriodicTimer("lease", LeaseTick.Instance, TimeSpan.FromSeconds(1));
        if (_state.Info is null)
            Persist(new Started(_settings.Name, _settings.SpaceHash, _settings.Seed, _settings.Slots, _settings.Rounds, _settings.StepsPerSlot, _settings.SettingsHash, _settings.Epochs, _settings.RetrainSteps), e => { Apply(e); Drive(); });
        else
            Drive();
    }

    private void Apply(object e)
    {
        _state = _state.Apply(e);
        if (++_eventsSinceSnapshot >= _settings.SnapshotEvery)
        {
            _eventsSinceSnapshot = 0;
            SaveSnapshot(_state);
        }
    }

    /// <summary>Derives what must happen next from the persisted state and queues it.</summary>
    private void Drive()
    {
        if (_failed) return;
        switch (_state.Phase)
        {
            case Phase.Supernet when _state.Enas && _state.Policy is null:
                // ENAS samples training paths from the controller's policy: adopt its initial one first.
                if (!_askedForPolicy)
                {
                    _askedForPolicy = true;
                    _population.Tell(ControllerProtocol.GetPolicy.Instance);
                }
                return;
            case Phase.Supernet:
                var round = _state.RoundsDone;
                if (_state.RoundSlices.Count == _settings.Slots)
                {
                    var ckpts = _state.RoundSlices.Values.Select(s => s.Checkpoint).ToImmutableArray();
                    if (_settings.Slots == 1)
                        Persist(new RoundCompleted(round, ckpts[0]), CompleteRound);
                    else
                        Enqueue(new MergeSlices(round, ckpts));
                }
                else
                {
                    var first = (long)round * _settings.StepsPerRound;
                    var steps = (int)Math.Min(_settings.StepsPerRound, _settings.StepsPerSlot - first);
                    for (var slot = 0; slot < _settings.Slots; slot++)
                        if (!_state.RoundSlices.ContainsKey(slot))
                            Enqueue(new TrainSlice(new SupernetSlice(round, slot, _settings.Slots, _state.Checkpoint, first, steps, _state.Policy)));
                }
                break;
            case Phase.Controller:
                if (!_askedForSamples)
                {
                    _askedForSamples = true;
                    _population.Tell(new ControllerProtocol.GetSamples(_state.ControllerEpochsDone));
                }
                break;
            case Phase.Search:
                if (!_askedForRollouts)
                {
                    _askedForRollouts = true;
                    _population.Tell(PopulationProtocol.GetRollouts.Instance);
                }
                break;
            case Phase.Test when _state.Top!.Value.IsEmpty:
                Fail("the search result is empty; nothing to test", true);
                return;
            case Phase.Test:
                var best = _state.Top!.Value[0];
                Enqueue(new ScoreRollout(best.Rollout, _state.Checkpoint!, EvalSplit.Test));
                break;
            case Phase.Retrain:
                Report();
                Enqueue(new RetrainRollout(_state.Top!.Value[0].Rollout, _state.Info!.RetrainSteps));
                break;
            case Phase.Finished:
                _listener.Tell(new Completed(Status()));
                return;
        }
        Dispatch();
    }

    private void Enqueue(Work w)
    {
        if (_inFlight.ContainsKey(w.Key) || _queue.Any(q => q.Key == w.Key)) return;
        _queue.Add(w);
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
            : r.SpaceHash is { } h && h != _settings.SpaceHash
                ? $"search space {Hashes.Short(h)}, experiment '{_settings.Name}' searches {Hashes.Short(_settings.SpaceHash)}"
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
        // A trainer asking for work has finished whatever it held (e.g. after its lease expired).
        foreach (var k in _inFlight.Where(kv => kv.Value.Trainer.Equals(trainer)).Select(kv => kv.Key).ToList())
            Requeue(k);
        _idle.Add(trainer);
    }

    private void OnTrainerLost(IActorRef trainer)
    {
        _trainers.Remove(trainer);
        _idle.Remove(trainer);
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

    private void Finish(string key)
    {
        _inFlight.Remove(key);
        _requeued.Remove(key);
        _queue.RemoveAll(q => q.Key == key);
    }

    private void OnSliceTrained(SliceTrained r)
    {
        Finish(r.Key);
        var s = r.Slice;
        var sender = Sender;
        if (_state.Phase != Phase.Supernet || s.Round != _state.RoundsDone || _state.RoundSlices.ContainsKey(s.Slot))
        {
            Ack(sender, r.Key); // late duplicate
            return;
        }
        Persist(new SliceCompleted(s.Round, s.Slot, r.Result.Checkpoint, r.Result.MeanLoss, r.Result.Accuracy, r.Result.Images, r.Result.Seconds), e =>
        {
            Ack(sender, r.Key);
            _lastRound = (_state.RoundSlices.Values.Append(e).Average(x => x.Loss), _state.RoundSlices.Values.Append(e).Average(x => x.Accuracy));
            Apply(e);
            Drive();
        });
    }

    private void OnMerged(SlicesMerged r)
    {
        Finish(r.Key);
        var sender = Sender;
        if (_state.Phase != Phase.Supernet || r.Round != _state.RoundsDone)
        {
            Ack(sender, r.Key);
            return;
        }
        Persist(new RoundCompleted(r.Round, r.Checkpoint), e => { Ack(sender, r.Key); CompleteRound(e); });
    }

    private void CompleteRound(RoundCompleted e)
    {
        // Once this round is journaled, resume starts from its checkpoint: the previous round's and this round's
        // slice checkpoints are never read again.
        var obsolete = _state.RoundSlices.Values.Select(s => s.Checkpoint).Append(_state.Checkpoint)
            .OfType<string>().Where(c => c != e.Checkpoint).Distinct().ToList();
        Apply(e);
        if (obsolete.Count > 0) _janitor?.Release(obsolete);
        Report();
        Drive();
    }

    private void OnScored(RolloutScored r)
    {
        Finish(r.Key);
        var sender = Sender;
        if (r.Split == EvalSplit.Test)
        {
            if (_state.Phase != Phase.Test)
            {
                Ack(sender, r.Key);
                return;
            }
            Persist(new TestCompleted(r.Id, r.Metrics), e => { Ack(sender, r.Key); Apply(e); Drive(); });
            return;
        }
        // The population owns scores: it records each rollout once and acknowledges; the trainer hears back then.
        if (!_awaitingRecord.TryGetValue(r.Id, out var waiting)) _awaitingRecord[r.Id] = waiting = [];
        waiting.Add((sender, r.Key));
        _population.Tell(new PopulationProtocol.RecordScore(r.Id, r.Metrics));
    }

    private void OnRetrained(RolloutRetrained r)
    {
        Finish(r.Key);
        var sender = Sender;
        if (_state.Phase != Phase.Retrain)
        {
            Ack(sender, r.Key);
            return;
        }
        Persist(new RetrainCompleted(r.Id, _state.Info!.RetrainSteps, r.Metrics), e => { Ack(sender, r.Key); Apply(e); Drive(); });
    }

    private void OnScoreRecorded(PopulationProtocol.ScoreRecordedResult r)
    {
        if (_awaitingRecord.Remove(r.Id, out var waiting))
            foreach (var (trainer, key) in waiting) Ack(trainer, key);
        if (!r.Duplicate) _scoredThisRun++;
        if (!_searchClock.IsRunning) _searchClock.Start();
        _best = r.Best;
        _generation = r.Generation;
        _scoredTotal = r.Scored;
        Report();
        if (r.GenerationComplete && _state.Phase == Phase.Search)
        {
            _askedForRollouts = true;
            _population.Tell(PopulationProtocol.GetRollouts.Instance);
        }
        else if (r.GenerationComplete && _state.Phase == Phase.Controller)
        {
            // The controller learns from the complete batch and answers this once the update is journaled.
            _askedForSamples = true;
            _population.Tell(new ControllerProtocol.GetSamples(_state.ControllerEpochsDone));
        }
    }

    private void OnPolicy(ControllerProtocol.PolicyResult r)
    {
        if (_state.Phase != Phase.Supernet || _state.Policy is not null) return;
        Persist(new PolicyAdopted(0, r.Policy), e => { Apply(e); Drive(); });
    }

    private void OnSamples(ControllerProtocol.SamplesResult r)
    {
        if (_state.Phase != Phase.Controller || r.Epoch != _state.ControllerEpochsDone) return; // stale
        _samples = r;
        if (r.EpochDone)
        {
            _askedForSamples = false;
            (_generation, _scoredTotal, _best) = (-1, 0, null); // the controller's batch figures are not the derive's
            Persist(new PolicyAdopted(r.Epoch + 1, r.Policy), e => { Apply(e); Report(); Drive(); });
            return;
        }
        Report();
        foreach (var rollout in r.Unrewarded)
            Enqueue(new ScoreRollout(rollout, _state.Checkpoint!, EvalSplit.Validation, rollout.Id.Value));
        Dispatch();
    }

    private void OnRollouts(PopulationProtocol.RolloutsResult r)
    {
        _generation = r.Generation;
        _scoredTotal = r.Scored;
        if (!_searchClock.IsRunning) _searchClock.Start();
        if (_state.Phase != Phase.Search) return;
        if (r.Finished && r.Top.IsEmpty)
        {
            Fail("the search ended without scoring any architecture: no architecture within nas.search.max-flops / max-params was found; raise the limits", true);
            return;
        }
        if (r.Finished)
        {
            Persist(new SearchCompleted(r.Top), e => { Apply(e); Report(); Drive(); });
            return;
        }
        foreach (var rollout in r.Unscored)
            Enqueue(new ScoreRollout(rollout, _state.Checkpoint!, EvalSplit.Validation));
        Dispatch();
    }

    private void OnWorkFailed(WorkFailed f)
    {
        // A failure of work this trainer no longer holds (its lease expired and the work was done or handed on, e.g.
        // its start checkpoint is gone now) is stale: the work's fate is someone else's.
        if (!_inFlight.TryGetValue(f.Key, out var held) || !held.Trainer.Equals(Sender))
        {
            _log.Info("ignoring a stale failure of {0} on {1}: {2}", f.Key, f.Device, f.Reason);
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
        var t = p.Progress;
        if (_state.Phase == Phase.Retrain && t.Round < 0)
        {
            _listener.Tell(new Progressed(Status(), string.Create(CultureInfo.InvariantCulture,
                $"retrain   step {t.Step}/{_state.Info!.RetrainSteps}  loss {t.Loss:F3}  {t.Images / Math.Max(t.Seconds, 1e-9):F0} img/s")));
            return;
        }
        if (_state.Phase != Phase.Supernet || _state.Info is null) return;
        var stepsDone = (double)t.Step; // t.Step is the next global step of that slot: steps done so far
        var rate = ImagesPerSecond(t.Images);
        var remaining = Math.Max(0, _settings.StepsPerSlot - stepsDone) * _settings.BatchSize * _settings.Slots;
        var eta = rate > 0 ? TimeSpan.FromSeconds(remaining / rate) : (TimeSpan?)null;
        _listener.Tell(new Progressed(Status(), string.Create(CultureInfo.InvariantCulture,
            $"{SupernetLabel()}  round {_state.RoundsDone + 1}/{_settings.Rounds}  step {t.Step}/{_settings.StepsPerSlot} (slot {t.Slot})  loss {t.Loss:F3}  {rate:F0} img/s  ETA {Eta(eta)}")));
    }

    private string SupernetLabel() => _state.Enas
        ? string.Create(CultureInfo.InvariantCulture, $"shared    epoch {Math.Min(_state.ControllerEpochsDone + 1, _settings.Epochs)}/{_settings.Epochs}")
        : "supernet";

    private double ImagesPerSecond(int inFlightImages)
    {
        if (_imagesAtStart < 0) { _imagesAtStart = _state.ImagesTrained; _clock.Restart(); }
        var secs = _clock.Elapsed.TotalSeconds;
        var inFlight = _inFlight.Values.Count(v => v.Work is TrainSlice) * (double)inFlightImages;
        return secs > 0.5 ? (_state.ImagesTrained - _imagesAtStart + inFlight) / secs : 0;
    }

    private static string Eta(TimeSpan? t) => t is { } v ? $"{(int)v.TotalMinutes}m{v.Seconds:00}s" : "?";

    private void Report()
    {
        var inv = CultureInfo.InvariantCulture;
        string line;
        switch (_state.Phase)
        {
            case Phase.Supernet when _state.RoundsDone > 0 && _state.RoundSlices.IsEmpty:
            case Phase.Search when _state.RoundsDone > 0 && _generation < 0:
                var last = _lastRound;
                line = string.Create(inv, $"{SupernetLabel()}  round {_state.RoundsDone}/{_settings.Rounds} done  loss {last.Loss:F3}  train acc {last.Accuracy:P1}  checkpoint {(_state.Checkpoint is { } ck ? Hashes.Short(ck) : "")}");
                break;
            case Phase.Controller or Phase.Supernet when _samples is { } sr && _state.Enas:
                var total = (long)_settings.Epochs * _settings.ControllerStepsPerEpoch;
                var stats = sr.Last is { } l
                    ? string.Create(inv, $"  mean reward {l.MeanReward:P1}  baseline {sr.Baseline:P1}  entropy {l.Entropy:F2}  loss {l.Loss:F4}")
                    : "  (no update yet)";
                line = string.Create(inv, $"controller epoch {sr.Epoch + 1}/{_settings.Epochs}  step {sr.Step}/{total}{stats}");
                break;
            case Phase.Search when _generation >= 0 && _state.Enas:
                var top = _best is null ? "-" : string.Create(inv, $"{_best.Metrics.Accuracy:P2} ({_best.Rollout.Id})");
                line = string.Create(inv, $"derive    scored {_scoredTotal}/{_settings.ExpectedCandidates} sampled architectures  best {top}");
                break;
            case Phase.Search when _generation >= 0:
                var best = _best is null ? "-" : string.Create(inv, $"{_best.Metrics.Accuracy:P2} ({_best.Rollout.Id})");
                var mins = _searchClock.Elapsed.TotalMinutes;
                var rate = mins > 0 && _scoredThisRun > 0 ? _scoredThisRun / mins : 0;
                var eta = rate > 0 ? TimeSpan.FromMinutes(Math.Max(0, _settings.ExpectedCandidates - _scoredTotal) / rate) : (TimeSpan?)null;
                line = string.Create(inv, $"search    generation {_generation + 1}/{_settings.Generations}  scored {_scoredTotal}  best {best}  {rate:F1} candidates/min  ETA {Eta(eta)}");
                break;
            case Phase.Test:
                line = "test      scoring the best architecture on the 10k test images";
                break;
            case Phase.Retrain:
                line = string.Create(inv, $"retrain   training the best architecture ({_state.Top!.Value[0].Rollout.Id}) from scratch for {_state.Info!.RetrainSteps} steps");
                break;
            default:
                return;
        }
        _listener.Tell(new Progressed(Status(), line));
    }

    private StatusResult Status() => new(
        _settings.Name, _state.Phase, _state.RoundsDone, _state.Info?.Rounds ?? _settings.Rounds, _state.ImagesTrained, _state.Checkpoint,
        _state.Top ?? [], _state.Test?.Metrics, _trainers.Count, _inFlight.Count,
        _state.Info?.Epochs ?? _settings.Epochs, _state.ControllerEpochsDone, _state.Policy, _state.Retrained);
}
