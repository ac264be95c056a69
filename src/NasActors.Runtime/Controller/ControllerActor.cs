using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies;
using NasActors.Core.Training;
using NasActors.Runtime.Population;
using NasActors.Runtime.Trainers;
using static NasActors.Runtime.Controller.ControllerProtocol;
using Settings = NasActors.Runtime.Controller.ControllerProtocol.Settings;

namespace NasActors.Runtime.Controller;

/// <summary>
/// Thin persistent shell around <see cref="Reinforce"/>: policy work (init, sampling, updates) runs on a dedicated
/// thread and comes back with PipeTo; while it runs, requests are stashed, so every reply reflects persisted state.
/// </summary>
internal sealed class ControllerActor : ReceivePersistentActor
{
    // Stash: persistent actors have one already (Eventsourced.Stash); declaring another would hide it.

    private readonly Settings _settings;
    private readonly IPolicyBackendFactory _factory;
    private readonly ICheckpointJanitor? _janitor;
    private readonly WorkerThread _worker;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IPolicyBackend? _policy;
    private ReinforceState _state;
    private int _sinceSnapshot;
    private bool _busy;

    public override string PersistenceId { get; }

    // Results of policy work, piped back from the worker thread.
    private sealed record Initialized(string Policy);
    private sealed record Drawn(ImmutableArray<Architecture> Architectures, RngState RngAfter, bool Derive, IActorRef ReplyTo, int Epoch);
    private sealed record Learned(PolicyUpdate Update, double Baseline, double MeanReward);
    private sealed record WorkError(Exception Exception, IActorRef? ReplyTo);

    public ControllerActor(Settings settings, IPolicyBackendFactory factory, ICheckpointJanitor? janitor)
    {
        _settings = settings;
        _factory = factory;
        _janitor = janitor;
        _state = ReinforceState.Initial(settings.Seed);
        _worker = new WorkerThread("controller-" + settings.Name);
        PersistenceId = ControllerProtocol.PersistenceId(settings.Name);

        Recover<SnapshotOffer>(o => _state = ((Snapshot)o.Snapshot).ToState());
        Recover<PolicyInitialized>(e => _state = Reinforce.Initialized(_state, e.Policy));
        Recover<BatchSampled>(e => _state = Reinforce.Sampled(_state, e.Rollouts, e.RngAfter, e.Derive));
        Recover<RewardRecorded>(e => _state = Reinforce.Rewarded(_state, e.Id, e.Metrics));
        Recover<PolicyUpdated>(e => _state = Reinforce.Updated(_state, e.Step, e.Policy, e.Baseline, e.Stats));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<Initialized>(i => Persist(new PolicyInitialized(i.Policy), e =>
        {
            _state = Reinforce.Initialized(_state, e.Policy);
            Ready();
        }));
        Command<Drawn>(OnDrawn);
        Command<Learned>(OnLearned);
        Command<WorkError>(OnWorkError);
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(_ => { });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
        CommandAny(OnRequest);
    }

    // Not base: it logs the exception with its stack trace to stdout. The experiment watches this actor and reports.
    protected override void OnRecoveryFailure(Exception reason, object? message = null) =>
        _log.Info("controller {0} cannot replay its journal: {1}", PersistenceId, reason.GetBaseException().Message);

    protected override void PostStop()
    {
        // Dispose the policy on its own thread, after any running job.
        _worker.Run(() => { _policy?.Dispose(); _policy = null; return 0; });
        _worker.Dispose();
        base.PostStop();
    }

    private void OnRecovered()
    {
        if (_settings.ReadOnly) return;
        if (_state.Policy is null)
        {
            var meta = new PolicyMeta(0, 0, _state.Rng);
            Work(() => new Initialized(Policy().Initialize(meta)), null);
        }
        else if (_state.BatchComplete && !_state.Deriving)
        {
            // The process died between the batch's last reward and its update: learn from it now.
            StartUpdate();
        }
    }

    private IPolicyBackend Policy() => _policy ??= _factory.CreatePolicy();

    private void Work(Func<object> job, IActorRef? replyTo)
    {
        _busy = true;
        _worker.Run(job).PipeTo(Self, failure: e => new WorkError(e is AggregateException a ? a.InnerException ?? a : e, replyTo));
    }

    private void Ready()
    {
        _busy = false;
        Stash.UnstashAll();
    }

    private void OnRequest(object message)
    {
        if (_busy)
        {
            Stash.Stash();
            return;
        }
        switch (message)
        {
            case GetPolicy:
                Sender.Tell(new PolicyResult(_state.Policy!, _state.Step));
                break;
            case GetSamples g:
                OnGetSamples(g);
                break;
            case PopulationProtocol.GetRollouts:
                OnGetDerive();
                break;
            case PopulationProtocol.RecordScore r:
                OnRecordScore(r);
                break;
            case PopulationProtocol.GetRanking q:
                Sender.Tell(new PopulationProtocol.RankingResult("enas", (int)Math.Min(int.MaxValue, _state.Step), _state.Derived.Length, _state.Finished,
                    [.. _state.Ranked.Take(q.TopK)]));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnGetSamples(GetSamples g)
    {
        var target = (long)(g.Epoch + 1) * _settings.Reinforce.StepsPerEpoch;
        if (!_state.Pending.IsEmpty && !_state.Deriving)
        {
            Sender.Tell(Samples(g.Epoch, done: false));
            return;
        }
        if (_state.Step >= target || _state.Deriving)
        {
            Sender.Tell(Samples(g.Epoch, done: true));
            return;
        }
        Draw(_settings.Reinforce.SamplesPerUpdate, derive: false, Sender, g.Epoch);
    }

    private SamplesResult Samples(int epoch, bool done) =>
        new(epoch, _state.Step, done ? [] : [.. _state.Unrewarded], done, _state.Policy!, _state.Baseline, _state.Last);

    private void Draw(int count, bool derive, IActorRef replyTo, int epoch)
    {
        var policy = _state.Policy!;
        var rng = _state.Rng;
        Work(() =>
        {
            var r = new Xoshiro256(rng);
            var archs = Policy().Sample(policy, count, r);
            return new Drawn(archs, r.State, derive, replyTo, epoch);
        }, replyTo);
    }

    private void OnDrawn(Drawn d)
    {
        var rollouts = Reinforce.ToRollouts(_state, d.Architectures, d.Derive);
        Persist(new BatchSampled(_state.Step, rollouts, d.RngAfter, d.Derive), e =>
        {
            _state = Reinforce.Sampled(_state, e.Rollouts, e.RngAfter, e.Derive);
            MaybeSnapshot();
            d.ReplyTo.Tell(d.Derive ? Derive() : Samples(d.Epoch, done: false));
            Ready();
        });
    }

    private void OnGetDerive()
    {
        if (_state.Deriving)
        {
            Sender.Tell(Derive());
            return;
        }
        if (!_state.Pending.IsEmpty)
        {
            // A training batch is still open: the experiment asks for the derive batch only after the last epoch.
            _log.Warning("controller {0}: derive requested while training batch at step {1} is open", _settings.Name, _state.Step);
            Sender.Tell(new PopulationProtocol.RolloutsResult((int)_state.Step, [], false, [], 0));
            return;
        }
        Draw(_settings.Reinforce.DeriveSamples, derive: true, Sender, _settings.Reinforce.Epochs);
    }

    private PopulationProtocol.RolloutsResult Derive() =>
        new((int)Math.Min(int.MaxValue, _state.Step), [.. _state.Unrewarded], _state.Finished, _state.Ranked, _state.Derived.Length);

    private void OnRecordScore(PopulationProtocol.RecordScore r)
    {
        var replyTo = Sender;
        if (!Reinforce.IsKnown(_state, r.Id))
        {
            replyTo.Tell(Recorded(r.Id, duplicate: true));
            return;
        }
        Persist(new RewardRecorded(r.Id, r.Metrics), e =>
        {
            _state = Reinforce.Rewarded(_state, e.Id, e.Metrics);
            MaybeSnapshot();
            replyTo.Tell(Recorded(r.Id, duplicate: false));
            if (_state.BatchComplete && !_state.Deriving) StartUpdate(replyTo);
        });
    }

    private PopulationProtocol.ScoreRecordedResult Recorded(RolloutId id, bool duplicate) => new(
        id, duplicate, _state.BatchComplete, _state.Finished, (int)Math.Min(int.MaxValue, _state.Step),
        _state.Deriving ? _state.Derived.Length : _state.Rewards.Count, _state.Deriving ? _state.Ranked.FirstOrDefault() : null);

    private void StartUpdate(IActorRef? replyTo = null)
    {
        var (samples, advantages, baseline, mean) = Reinforce.Advantages(_state, _settings.Reinforce.BaselineDecay);
        var policy = _state.Policy!;
        var meta = new PolicyMeta(_state.Step + 1, baseline, _state.Rng);
        Work(() => new Learned(Policy().Update(policy, samples, advantages, meta), baseline, mean), replyTo);
    }

    private void OnLearned(Learned l)
    {
        var previous = _state.Policy;
        var stats = new ReinforceStats(l.MeanReward, l.Update.Loss, l.Update.Entropy, l.Update.GradNorm);
        Persist(new PolicyUpdated(_state.Step + 1, l.Update.Checkpoint, l.Baseline, stats), e =>
        {
            _state = Reinforce.Updated(_state, e.Step, e.Policy, e.Baseline, e.Stats);
            MaybeSnapshot();
            // Shared-weight training of an epoch finishes before the controller learns, so nothing needs the old policy.
            if (previous is not null && previous != e.Policy) _janitor?.Release([previous]);
            Ready();
        });
    }

    private void OnWorkError(WorkError w)
    {
        var user = w.Exception is NasUserException;
        if (!user) _log.Error(w.Exception, "controller {0}: policy work failed", _settings.Name);
        var failed = new ControllerFailed($"the ENAS controller failed: {w.Exception.Message}", user);
        w.ReplyTo?.Tell(failed);
        // From now on every request gets this answer (nothing else it could reply would be true); stashed ones too.
        _failure = failed;
        Become(Failed);
        Stash.UnstashAll();
    }

    private ControllerFailed? _failure;

    private void Failed()
    {
        CommandAny(m =>
        {
            if (m is SaveSnapshotSuccess or SaveSnapshotFailure or DeleteSnapshotsSuccess or DeleteSnapshotsFailure) return;
            Sender.Tell(_failure!);
        });
    }

    private void MaybeSnapshot()
    {
        if (++_sinceSnapshot < _settings.SnapshotEvery) return;
        _sinceSnapshot = 0;
        SaveSnapshot(Snapshot.From(_state));
    }
}
