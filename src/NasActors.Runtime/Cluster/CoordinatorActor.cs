using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.Engine;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Serialization;
using static NasActors.Runtime.Cluster.CoordinatorProtocol;
using Settings = NasActors.Runtime.Cluster.CoordinatorProtocol.Settings;

namespace NasActors.Runtime.Cluster;

/// <summary>
/// The journal holds which experiment is current and how each one ended; the experiment's own progress is in its
/// children's journals. Trainer traffic arriving while the current experiment is being (re)built is stashed.
/// </summary>
internal sealed class CoordinatorActor : ReceivePersistentActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;
    public override string PersistenceId => CoordinatorProtocol.PersistenceId;

    private readonly Settings _settings;
    private readonly IExperimentBuilder _builder;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _mediator = DistributedPubSub.Get(Context.System).Mediator;
    // A new one per start: trainers that see it change register with this incarnation.
    private readonly string _incarnation = Guid.NewGuid().ToString("N")[..12];

    private (string Name, string ConfigText)? _current;
    private readonly Dictionary<string, ExperimentResult> _ended = new();

    private Running? _running;
    private string? _building;
    private readonly List<(IActorRef Client, string Name)> _waiting = [];

    private sealed record Running(string Name, string ConfigText, ExperimentDefinition Definition, IActorRef Experiment, IExperimentObserver? Observer);
    // Ended experiments' observers catching up off this thread (all of them, chained); waited for when the coordinator stops.
    private Task? _closing;
    private sealed record Built(string Name, string ConfigText, bool Fresh, ExperimentDefinition Definition, IPlan? Plan = null);
    private sealed record BuildFailed(string Name, bool Fresh, Exception Error);
    private sealed record Announce
    {
        public static readonly Announce Instance = new();
    }

    public CoordinatorActor(Settings settings, IExperimentBuilder builder)
    {
        _settings = settings;
        _builder = builder;

        Recover<ExperimentSubmitted>(e => _current = (e.Name, e.ConfigText));
        Recover<ExperimentEndedV1>(e =>
        {
            _ended[e.Name] = new ExperimentResult(e.Name, true, true, null,
                $"experiment '{e.Name}' was run by an earlier NasActors (store format 1); read it with that version", true);
            if (_current?.Name == e.Name) _current = null;
        });
        Recover<ExperimentEnded>(e =>
        {
            _ended[e.Name] = e.Result;
            if (_current?.Name == e.Name) _current = null;
        });
        Recover<RecoveryCompleted>(_ =>
        {
            _log.Info("coordinator {0} started on {1}; current experiment: {2}", _incarnation, Cluster(), _current?.Name ?? "none");
            Timers.StartPeriodicTimer("announce", Announce.Instance, settings.AnnounceInterval);
            if (_current is { } c) StartBuild(c.Name, c.ConfigText, fresh: false);
        });

        Command<SubmitExperiment>(OnSubmit);
        Command<GetExperiment>(OnGet);
        Command<Built>(OnBuilt);
        Command<BuildFailed>(OnBuildFailed);
        Command<Announce>(_ => DoAnnounce());

        // The children's listener: progress, completion, failure.
        Command<ExperimentProtocol.Progressed>(p =>
        {
            if (_running is not { } r) return;
            r.Observer?.Notify(p);
            _mediator.Tell(new Publish(ProgressTopic(r.Name), new ExperimentProgressed(r.Name, p.Status, p.Live, p.ImagesPerSecond)));
        });
        Command<ExperimentProtocol.Completed>(c =>
        {
            if (_running is { } r) End(r.Name, new ExperimentResult(r.Name, true, true, c.Status, null, false));
        });
        Command<ExperimentProtocol.Failed>(f =>
        {
            if (_running is { } r) End(r.Name, new ExperimentResult(r.Name, true, true, null, f.Reason, f.UserError));
        });
        Command<Terminated>(t =>
        {
            if (_running is { } r && t.ActorRef.Equals(r.Experiment))
                End(r.Name, new ExperimentResult(r.Name, true, true, null,
                    $"the actor of experiment '{r.Name}' stopped unexpectedly (its journal could not be written or replayed)", false));
        });

        // Trainer traffic, forwarded so the experiment sees (and answers) the trainer itself.
        Command<ExperimentProtocol.RegisterTrainer>(ToExperiment);
        Command<ExperimentProtocol.RequestWork>(ToExperiment);
        Command<ExperimentProtocol.TrainerProgressed>(ToExperiment);
        Command<ExperimentProtocol.WorkFailed>(ToExperiment);
        Command<WorkResult>(r => ToExperiment(r, r.Key));
    }

    private string Cluster() => Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();

    protected override void OnRecoveryFailure(Exception reason, object? message = null) =>
        _log.Error("the coordinator's journal cannot be replayed ({0}); it is corrupt or from another version: restore it from a backup or point the cluster at a new database",
            reason.GetBaseException().Message);

    private void ToExperiment(object message) => ToExperiment(message, null);

    private void ToExperiment(object message, string? resultKey)
    {
        if (_building is not null) Stash.Stash(); // the current experiment is being rebuilt: it gets this once it runs
        else if (_running is { } r) r.Experiment.Forward(message);
        // No experiment runs: a result is of one that has ended; acknowledge it so the trainer stops re-sending it.
        else if (resultKey is not null) Sender.Tell(new ExperimentProtocol.ResultAcknowledged(resultKey));
    }

    private void OnSubmit(SubmitExperiment s)
    {
        if (s.ProtocolVersion != NasProtocol.Current)
        {
            _log.Warning("refused experiment '{0}' from {1}: protocol version {2}, this coordinator speaks {3}", s.Name, Sender.Path.Address, s.ProtocolVersion, NasProtocol.Current);
            Sender.Tell(new SubmitResult(s.Name, false, $"the cluster speaks protocol version {NasProtocol.Current}, this nas {s.ProtocolVersion}: run the same NasActors version everywhere"));
            return;
        }
        if (_ended.ContainsKey(s.Name) || _running?.Name == s.Name)
        {
            Sender.Tell(new SubmitResult(s.Name, true));
            return;
        }
        if (_building == s.Name || _current?.Name == s.Name)
        {
            _waiting.Add((Sender, s.Name));
            return;
        }
        var busy = _running?.Name ?? _building ?? _current?.Name;
        if (busy is not null)
        {
            Sender.Tell(new SubmitResult(s.Name, false, $"the cluster is running experiment '{busy}'; submit '{s.Name}' when it has finished (`nas status {busy}`)"));
            return;
        }
        try { ExperimentStore.CheckName(s.Name); }
        catch (NasUserException e)
        {
            Sender.Tell(new SubmitResult(s.Name, false, e.Message));
            return;
        }
        _waiting.Add((Sender, s.Name));
        StartBuild(s.Name, s.ConfigText, fresh: true);
    }

    private void StartBuild(string name, string configText, bool fresh)
    {
        _building = name;
        var builder = _builder;
        Task.Run(() => builder.Build(name, configText))
            .PipeTo(Self, success: d => new Built(name, configText, fresh, d), failure: e => new BuildFailed(name, fresh, e));
    }

    private void OnBuildFailed(BuildFailed f)
    {
        _building = null;
        var e = f.Error is AggregateException a ? a.GetBaseException() : f.Error;
        var user = e is NasUserException;
        if (!user) _log.Error(e, "experiment '{0}' could not be built", f.Name);
        if (f.Fresh)
        {
            Reply(f.Name, new SubmitResult(f.Name, false, e.Message, user));
            Stash.UnstashAll();
            return;
        }
        // A journaled experiment that no longer builds here (data missing on this node, config no longer valid): it ends failed.
        Persist(new ExperimentEnded(f.Name, new ExperimentResult(f.Name, true, true, null, $"experiment '{f.Name}' cannot be resumed on {Cluster()}: {e.Message}", user)), ev =>
        {
            ApplyEnded(ev);
            Stash.UnstashAll();
        });
    }

    private void OnBuilt(Built built)
    {
        Built b;
        try
        {
            // Everything that can refuse the experiment (impossible FLOPs limits, a name taken with another config)
            // is checked before it is journaled: a submission that is journaled always starts.
            var d = built.Definition;
            b = built with { Plan = d.Settings.CreatePlan(d.Space, d.Costs) };
            EnsureStore(b.Name, b.ConfigText);
        }
        catch (Exception e) when (e is NasUserException or IOException or UnauthorizedAccessException)
        {
            built.Definition.Owner?.Dispose();
            OnBuildFailed(new BuildFailed(built.Name, built.Fresh, e));
            return;
        }
        if (b.Fresh)
            Persist(new ExperimentSubmitted(b.Name, b.ConfigText), e =>
            {
                _current = (e.Name, e.ConfigText);
                Start(b);
            });
        else Start(b);
    }

    /// <summary>STORE/NAME (config.conf, checkpoints/, the journal marker) exists with this config; created if missing.</summary>
    private void EnsureStore(string name, string configText)
    {
        var store = _settings.Store;
        if (!store.Exists(name))
        {
            store.Create(name, configText, $"journal = {_settings.Journal}\n");
            return;
        }
        if (!store.IsClusterExperiment(name))
            throw new NasUserException($"experiment '{name}' in {store.Root} is a single-process experiment; continue it with `nas resume {name}` or pick another --name");
        if (store.ReadConfig(name) != configText)
            throw new NasUserException($"experiment '{name}' already exists in {store.Root} with another config; pick another --name");
    }

    private void Start(Built b)
    {
        var d = b.Definition;
        var prefix = b.Name + "-";
        var janitor = d.Settings.KeepAllCheckpoints ? null : new CheckpointJanitor(_settings.Store.CheckpointDirectory(b.Name));
        var experiment = ExperimentActors.Spawn(Context, b.Name, d.Settings, d.Space, b.Plan!, Self, janitor, readOnly: false, prefix);
        Context.Watch(experiment);
        _running = new Running(b.Name, b.ConfigText, d, experiment, StartObserver(b.Name, d));
        _building = null;
        _log.Info("coordinator {0} runs experiment '{1}' ({2}, search space {3})", _incarnation, b.Name, d.Settings.StrategyName, Hashes.Short(d.Space.Hash));
        Reply(b.Name, new SubmitResult(b.Name, true));
        DoAnnounce();
        Stash.UnstashAll();
    }

    private IExperimentObserver? StartObserver(string name, ExperimentDefinition d)
    {
        try { return d.Observe?.Invoke(); }
        catch (Exception e)
        {
            // What follows the search never stops it.
            _log.Warning("experiment '{0}' runs without its observer (TensorBoard files): {1}", name, e.GetBaseException().Message);
            return null;
        }
    }

    private void End(string name, ExperimentResult result)
    {
        if (_running?.Name != name) return;
        Persist(new ExperimentEnded(name, result), e =>
        {
            ApplyEnded(e);
            _log.Info("experiment '{0}' {1}", name, result.Failure is null ? "completed" : "failed: " + result.Failure);
            _mediator.Tell(new Publish(ProgressTopic(name), result));
        });
    }

    private void ApplyEnded(ExperimentEnded e)
    {
        _ended[e.Name] = e.Result;
        if (_current?.Name == e.Name) _current = null;
        if (_running is { } r && r.Name == e.Name)
        {
            _running = null;
            Context.Unwatch(r.Experiment);
            Context.Stop(r.Experiment);
            r.Definition.Owner?.Dispose();
            if (r.Observer is { } observer)
                _closing = _closing is { IsCompleted: false } earlier ? Task.WhenAll(earlier, Task.Run(observer.Dispose)) : Task.Run(observer.Dispose);
        }
        Reply(e.Name, new SubmitResult(e.Name, true));
    }

    private void Reply(string name, SubmitResult result)
    {
        foreach (var (client, _) in _waiting.Where(w => w.Name == name).ToList())
            client.Tell(result);
        _waiting.RemoveAll(w => w.Name == name);
    }

    private void OnGet(GetExperiment g)
    {
        if (_ended.TryGetValue(g.Name, out var ended))
        {
            Sender.Tell(ended);
            return;
        }
        if (_running is { } r && r.Name == g.Name)
        {
            var name = g.Name;
            r.Experiment.Ask<ExperimentProtocol.StatusResult>(ExperimentProtocol.GetStatus.Instance, TimeSpan.FromSeconds(10))
                .PipeTo(Sender, success: s => new ExperimentResult(name, true, false, s, null, false),
                    failure: _ => new ExperimentResult(name, true, false, null, null, false));
            return;
        }
        Sender.Tell(new ExperimentResult(g.Name, _current?.Name == g.Name || _building == g.Name, false, null, null, false));
    }

    private void DoAnnounce()
    {
        if (_running is not { } r) return;
        _mediator.Tell(new Publish(TrainersTopic, new ExperimentAnnounced(r.Name, r.ConfigText, r.Definition.Space.Hash, NasProtocol.Current, _incarnation)));
    }

    protected override void PostStop()
    {
        _running?.Definition.Owner?.Dispose();
        _running?.Observer?.Dispose();
        // The node is leaving: let the ended experiments' files catch up first (an observer never throws for its files).
        try { _closing?.Wait(TimeSpan.FromSeconds(30)); }
        catch (AggregateException e) { _log.Warning("the observer of the ended experiment failed: {0}", e.GetBaseException().Message); }
        base.PostStop();
    }
}
