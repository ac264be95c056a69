using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.TestKit;
using NasActors.Core;
using Akka.Persistence;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.Training;
using NasActors.Runtime.Cluster;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Serialization;
using NasActors.Runtime.Tests.Support;
using Xunit.Abstractions;
using static NasActors.Runtime.Cluster.CoordinatorProtocol;
using E = NasActors.Runtime.Experiment.ExperimentProtocol;

namespace NasActors.Runtime.Tests.Cluster;

/// <summary>
/// The coordinator on a one-node cluster (it needs the cluster provider for DistributedPubSub), journaling to the
/// test's SQLite store. In production it runs as a cluster singleton; here it is a plain actor.
/// </summary>
public sealed class CoordinatorActorTests : SqliteTestKit
{
    private const string ClusterConfig = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        # A one-node cluster is Up, and shut down, sooner with these (the defaults cost about a second each).
        akka.cluster { gossip-interval = 200ms, leader-actions-interval = 100ms, pub-sub.gossip-interval = 200ms }
        """;

    private static readonly TimeSpan AnnounceInterval = TimeSpan.FromMilliseconds(200);
    private readonly ExperimentStore _store;
    private readonly FakeBuilder _builder = new();

    public CoordinatorActorTests(ITestOutputHelper output) : base(ClusterConfig, output)
    {
        _store = new ExperimentStore(Path.Combine(Store.Root, "experiments"));
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up, TimeSpan.FromSeconds(10));
    }

    /// <summary>Builds experiments over the fake backend's tiny space, as the CLI's builder does over Torch.</summary>
    private sealed class FakeBuilder : IExperimentBuilder
    {
        public readonly FakeBackendFactory Factory = new(Spaces.Tiny());
        public int Builds;
        /// <summary>Waited for by each build (a slow rebuild); null: none.</summary>
        public volatile ManualResetEventSlim? Gate;
        /// <summary>Thrown by each build (a node that can no longer build it); null: none.</summary>
        public volatile Exception? Fails;

        public ExperimentDefinition Build(string name, string configText)
        {
            Interlocked.Increment(ref Builds);
            Gate?.Wait(TimeSpan.FromSeconds(30));
            if (Fails is { } e) throw e;
            var settings = NasSettings.Create(NasConfig.Parse(configText, name), name);
            return new ExperimentDefinition(settings, Factory.Space, Factory.Costs, null);
        }
    }

    private static string ConfigText(long seed = 7) => $$"""
        nas {
          strategy = spos-evolution
          experiment { seed = {{seed}} }
          train { total-steps = 4, steps-per-round = 2 }
          strategies.spos-evolution { population-size = 4, generations = 2, top-k = 2, mutation-count = 1, crossover-count = 1 }
          trainers { devices = [cpu] }
        }
        """;

    /// <param name="name">Another name for a restarted one: the guardian may not have freed the old name when the watcher hears it stopped.</param>
    private IActorRef StartCoordinator(string name = "coordinator") =>
        Sys.ActorOf(CoordinatorProtocol.Props(new CoordinatorProtocol.Settings(_store, "sqlite", AnnounceInterval), _builder), name);

    private SubmitResult Submit(IActorRef coordinator, string name, string text, int? version = null)
    {
        coordinator.Tell(new SubmitExperiment(name, text, version ?? NasProtocol.Current), TestActor);
        var result = ExpectMsg<SubmitResult>();
        Assert.Equal(name, result.Name);
        return result;
    }

    [Fact]
    public void CoordinatorActor_must_accept_a_submission_and_create_its_store_directory()
    {
        var coordinator = StartCoordinator();
        var text = ConfigText();
        var result = Submit(coordinator, "first", text);
        Assert.True(result.Accepted, result.Error);
        Assert.Null(result.Error);

        var dir = _store.DirectoryOf("first");
        Assert.True(_store.Exists("first"));
        Assert.Equal(text, File.ReadAllText(Path.Combine(dir, ExperimentStore.ConfigFile)));
        Assert.Equal("journal = sqlite\n", File.ReadAllText(Path.Combine(dir, ExperimentStore.JournalMarker)));
        Assert.Equal(1, Journal.Count(CoordinatorProtocol.PersistenceId, "nas.coordinator.experiment-submitted.v1"));

        // It runs: known, not finished, with the experiment's status.
        coordinator.Tell(new GetExperiment("first"), TestActor);
        var state = ExpectMsg<ExperimentResult>();
        Assert.Equal(("first", true, false, null), (state.Name, state.Known, state.Finished, state.Failure));
        Assert.NotNull(state.Status);
        Assert.Equal("first", state.Status!.Name);

        // Submitting it again is idempotent: accepted, not built or journaled twice.
        Assert.True(Submit(coordinator, "first", text).Accepted);
        Assert.Equal(1, _builder.Builds);
        Assert.Equal(1, Journal.Count(CoordinatorProtocol.PersistenceId, "nas.coordinator.experiment-submitted.v1"));
    }

    [Fact]
    public void CoordinatorActor_must_refuse_another_experiment_while_one_runs()
    {
        var coordinator = StartCoordinator();
        Assert.True(Submit(coordinator, "first", ConfigText()).Accepted);

        var second = Submit(coordinator, "second", ConfigText(seed: 8));
        Assert.False(second.Accepted);
        Assert.Contains("running experiment 'first'", second.Error);
        Assert.Contains("'second'", second.Error);
        Assert.False(_store.Exists("second"));
        Assert.Equal(1, Journal.Count(CoordinatorProtocol.PersistenceId, "nas.coordinator.experiment-submitted.v1"));
    }

    [Fact]
    public void CoordinatorActor_must_refuse_a_submission_of_another_protocol_version()
    {
        var coordinator = StartCoordinator();
        var result = Submit(coordinator, "first", ConfigText(), NasProtocol.Current + 1);
        Assert.False(result.Accepted);
        Assert.Contains($"protocol version {NasProtocol.Current}", result.Error);
        Assert.Contains($"this nas {NasProtocol.Current + 1}", result.Error);
        Assert.False(_store.Exists("first"));
        Assert.Equal(0, _builder.Builds);

        // Nothing runs: the right version is accepted afterwards.
        Assert.True(Submit(coordinator, "first", ConfigText()).Accepted);
    }

    [Fact]
    public void CoordinatorActor_must_report_a_bad_config_as_a_user_error_and_stay_free()
    {
        var coordinator = StartCoordinator();
        var bad = Submit(coordinator, "bad", "nas.train.total-steps = -1");
        Assert.False(bad.Accepted);
        Assert.True(bad.UserError);
        Assert.Contains("total-steps", bad.Error);
        Assert.False(_store.Exists("bad"));
        Assert.True(Submit(coordinator, "good", ConfigText()).Accepted);
    }

    [Fact]
    public void CoordinatorActor_must_answer_GetExperiment_of_an_unknown_name_with_Known_false()
    {
        var coordinator = StartCoordinator();
        coordinator.Tell(new GetExperiment("nope"), TestActor);
        var result = ExpectMsg<ExperimentResult>();
        Assert.Equal(new ExperimentResult("nope", false, false, null, null, false), result);
    }

    [Fact]
    public void CoordinatorActor_must_announce_its_experiment_and_forward_trainer_traffic_to_it()
    {
        var coordinator = StartCoordinator();
        var announcements = CreateTestProbe("node");
        DistributedPubSub.Get(Sys).Mediator.Tell(new Subscribe(TrainersTopic, announcements.Ref), announcements.Ref);
        announcements.ExpectMsg<SubscribeAck>();
        Assert.True(Submit(coordinator, "first", ConfigText()).Accepted);

        var announced = announcements.ExpectMsg<ExperimentAnnounced>();
        Assert.Equal(("first", ConfigText(), _builder.Factory.Space.Hash, NasProtocol.Current),
            (announced.Name, announced.ConfigText, announced.SpaceHash, announced.ProtocolVersion));

        // A trainer talks to the coordinator; the experiment answers the trainer itself.
        var trainer = CreateTestProbe("trainer");
        coordinator.Tell(new E.RegisterTrainer(trainer.Ref, "cpu", announced.SpaceHash), trainer.Ref);
        var work = trainer.ExpectMsg<TrainSlice>();
        Assert.Equal(0, work.Slice.Round);
        var result = new SliceTrained(work.Key, work.Slice, new SliceResult(FakeBackendFactory.SliceCheckpoint(work.Slice), 0.5, 0.25, 64, 0.1));
        coordinator.Tell(result, trainer.Ref);
        trainer.ExpectMsg(new E.ResultAcknowledged(work.Key));
        coordinator.Tell(new E.RequestWork(trainer.Ref), trainer.Ref);
        Assert.Equal(1, trainer.ExpectMsg<TrainSlice>().Slice.Round);

        // A trainer of another search space is refused by the experiment behind the coordinator.
        var stranger = CreateTestProbe("stranger");
        coordinator.Tell(new E.RegisterTrainer(stranger.Ref, "cpu", "ffffffffffffffff"), stranger.Ref);
        stranger.ExpectMsg<E.RegistrationRefused>();
    }

    [Fact]
    public void CoordinatorActor_must_acknowledge_a_result_when_no_experiment_runs()
    {
        var coordinator = StartCoordinator();
        var trainer = CreateTestProbe("trainer");
        var slice = new SupernetSlice(0, 0, 1, null, 0, 2);
        coordinator.Tell(new SliceTrained("slice/0/0", slice, new SliceResult("0123456789abcdef", 0.5, 0.25, 64, 0.1)), trainer.Ref);
        trainer.ExpectMsg(new E.ResultAcknowledged("slice/0/0")); // of an experiment that has ended: the trainer can drop it
    }

    [Fact]
    public void CoordinatorActor_must_refuse_an_experiment_whose_limits_no_architecture_meets()
    {
        var coordinator = StartCoordinator();
        var result = Submit(coordinator, "limits", ConfigText() + "\nnas.search.max-flops = 1\n");
        Assert.False(result.Accepted);
        Assert.True(result.UserError);
        Assert.Contains("max-flops", result.Error);
        Assert.Equal(0, Journal.Count(CoordinatorProtocol.PersistenceId, "nas.coordinator.experiment-submitted.v1"));
        Assert.True(Submit(coordinator, "good", ConfigText()).Accepted); // the coordinator is free again
    }

    /// <summary>A trainer that does whatever work it gets on a fake backend, until the experiment ends.</summary>
    private void WorkUntilEnded(TestProbe trainer, IActorRef coordinator, string name)
    {
        var backend = _builder.Factory.Create("cpu");
        var context = new WorkContext(backend, _ => { }, CancellationToken.None);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (trainer.ReceiveOne(TimeSpan.FromMilliseconds(300)) is WorkItem w)
            {
                coordinator.Tell(w.Execute(context), trainer.Ref);
                trainer.ExpectMsg<E.ResultAcknowledged>(a => a.Key == w.Key);
                coordinator.Tell(new E.RequestWork(trainer.Ref), trainer.Ref);
                continue;
            }
            coordinator.Tell(new GetExperiment(name), TestActor);
            if (ExpectMsg<ExperimentResult>().Finished) return;
        }
        throw new TimeoutException($"experiment '{name}' did not end");
    }

    [Fact]
    public void CoordinatorActor_must_journal_how_its_experiment_ended_and_publish_it_with_its_status()
    {
        var coordinator = StartCoordinator();
        var follower = CreateTestProbe("follower");
        DistributedPubSub.Get(Sys).Mediator.Tell(new Subscribe(ProgressTopic("first"), follower.Ref), follower.Ref);
        follower.ExpectMsg<SubscribeAck>();
        Assert.True(Submit(coordinator, "first", ConfigText()).Accepted);
        var trainer = CreateTestProbe("trainer");
        coordinator.Tell(new E.RegisterTrainer(trainer.Ref, "cpu", _builder.Factory.Space.Hash), trainer.Ref);
        WorkUntilEnded(trainer, coordinator, "first");

        // Progress is published as data: the experiment's structured status.
        var progressed = follower.FishForMessage<ExperimentProgressed>(p => p is ExperimentProgressed { Status.Plan.Phase: "search" });
        Assert.Equal(("first", "first", "spos-evolution"), (progressed.Name, progressed.Status.Name, progressed.Status.Plan.Strategy));
        var published = follower.FishForMessage<ExperimentResult>(_ => true);
        coordinator.Tell(new GetExperiment("first"), TestActor);
        var result = ExpectMsg<ExperimentResult>();
        Assert.Equal(("first", true, true, null, false), (result.Name, result.Known, result.Finished, result.Failure, result.UserError));
        Assert.True(result.Status!.Plan.Finished);
        Assert.Equal(8, result.Status.Plan.Scored);
        Assert.NotNull(result.Status.Plan.Test);
        Deep.Equal(result, published);
        Assert.Equal(1, Journal.Count(CoordinatorProtocol.PersistenceId, "nas.coordinator.experiment-ended.v2"));

        // A restarted coordinator knows how it ended, and runs nothing.
        StopAndWait(coordinator);
        var revived = StartCoordinator("revived");
        revived.Tell(new GetExperiment("first"), TestActor);
        Deep.Equal(result, ExpectMsg<ExperimentResult>());
        Assert.True(Submit(revived, "second", ConfigText(seed: 8)).Accepted); // free for the next one
    }

    /// <summary>Writes the events of a coordinator journal of store format 1, as the coordinator's persistence id.</summary>
    private sealed class OldCoordinator : ReceivePersistentActor
    {
        public override string PersistenceId => CoordinatorProtocol.PersistenceId;

        public OldCoordinator(IActorRef done)
        {
            Command<string>(name => PersistAll(new object[] { new ExperimentSubmitted(name, "nas.experiment.strategy = spos\n"), new ExperimentEndedV1(name) },
                e => { if (e is ExperimentEndedV1) done.Tell("written"); }));
        }
    }

    [Fact]
    public void CoordinatorActor_must_report_an_experiment_it_ran_in_store_format_1_as_such()
    {
        var writer = Sys.ActorOf(Akka.Actor.Props.Create(() => new OldCoordinator(TestActor)));
        writer.Tell("old");
        ExpectMsg("written");
        StopAndWait(writer);

        var coordinator = StartCoordinator();
        coordinator.Tell(new GetExperiment("old"), TestActor);
        var result = ExpectMsg<ExperimentResult>();
        Assert.Equal(("old", true, true, true, null), (result.Name, result.Known, result.Finished, result.UserError, result.Status));
        Assert.Contains("store format 1", result.Failure);
        Assert.Equal(0, _builder.Builds); // not resumed
        Assert.True(Submit(coordinator, "old", ConfigText()).Accepted); // idempotent by name: it has ended
        Assert.Equal(0, _builder.Builds);
        Assert.True(Submit(coordinator, "new", ConfigText()).Accepted); // nothing runs
    }

    // ---- recovery ----

    private void Stop(IActorRef coordinator)
    {
        Watch(coordinator);
        Sys.Stop(coordinator);
        ExpectTerminated(coordinator);
    }

    [Fact]
    public void CoordinatorActor_must_resume_its_experiment_after_a_restart_holding_trainer_messages_until_it_runs()
    {
        var coordinator = StartCoordinator();
        var announcements = CreateTestProbe("node");
        DistributedPubSub.Get(Sys).Mediator.Tell(new Subscribe(TrainersTopic, announcements.Ref), announcements.Ref);
        announcements.ExpectMsg<SubscribeAck>();
        Assert.True(Submit(coordinator, "first", ConfigText()).Accepted);
        var first = announcements.ExpectMsg<ExperimentAnnounced>();
        var trainer = CreateTestProbe("trainer");
        coordinator.Tell(new E.RegisterTrainer(trainer.Ref, "cpu", first.SpaceHash), trainer.Ref);
        var work = trainer.ExpectMsg<TrainSlice>();
        coordinator.Tell(new SliceTrained(work.Key, work.Slice, new SliceResult(FakeBackendFactory.SliceCheckpoint(work.Slice), 0.5, 0.25, 64, 0.1)), trainer.Ref);
        trainer.ExpectMsg(new E.ResultAcknowledged(work.Key));
        Stop(coordinator);

        // The new coordinator rebuilds the journaled experiment (slowly here); a trainer that registers meanwhile is held.
        using var gate = new ManualResetEventSlim(false);
        _builder.Gate = gate;
        var again = StartCoordinator("coordinator-2");
        AwaitCondition(() => _builder.Builds == 2);
        again.Tell(new E.RegisterTrainer(trainer.Ref, "cpu", first.SpaceHash), trainer.Ref);
        trainer.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        gate.Set();
        // It continues where the journal stopped: round 0 is done, round 1 is next; announced under a new incarnation.
        Assert.Equal(1, trainer.ExpectMsg<TrainSlice>().Slice.Round);
        var announced = announcements.FishForMessage<ExperimentAnnounced>(a => a.Incarnation != first.Incarnation);
        Assert.Equal("first", announced.Name);
        Assert.Equal(1, Journal.Count(CoordinatorProtocol.PersistenceId, "nas.coordinator.experiment-submitted.v1"));
    }

    [Fact]
    public void CoordinatorActor_must_end_a_journaled_experiment_that_no_longer_builds_as_failed_and_stay_free()
    {
        var coordinator = StartCoordinator();
        Assert.True(Submit(coordinator, "first", ConfigText()).Accepted);
        Stop(coordinator);

        _builder.Fails = new NasUserException("Fashion-MNIST is not installed on this node");
        var again = StartCoordinator("coordinator-2");
        AwaitAssert(() =>
        {
            again.Tell(new GetExperiment("first"), TestActor);
            var state = ExpectMsg<ExperimentResult>();
            Assert.True(state.Finished);
            Assert.Contains("experiment 'first' cannot be resumed on", state.Failure);
            Assert.Contains("Fashion-MNIST is not installed on this node", state.Failure);
            Assert.True(state.UserError);
        }, TimeSpan.FromSeconds(10));

        // Free for the next one.
        _builder.Fails = null;
        Assert.True(Submit(again, "second", ConfigText(seed: 8)).Accepted);
    }
}
