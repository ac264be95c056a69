using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit;
using Microsoft.Data.Sqlite;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Serialization;
using NasActors.Runtime.Tests.Support;
using Xunit.Abstractions;
using static NasActors.Runtime.Experiment.ExperimentProtocol;
using Settings = NasActors.Runtime.Experiment.ExperimentProtocol.Settings;

namespace NasActors.Runtime.Tests.Experiment;

/// <summary>
/// The experiment actor as a generic scheduler, driven by a fake strategy (<see cref="ToyPlan"/>) that brings its own
/// work, result and event kinds, with TestKit probes as trainers, over a real SQLite journal.
/// </summary>
public sealed class ExperimentActorTests : SqliteTestKit
{
    private const string Name = "exp";
    private const string StartedManifest = "nas.experiment.started.v2";
    private const string Opened = "test.toy.batch-opened.v1";
    private const string Recorded = "test.toy.value-recorded.v1";
    private static readonly string Pid = ExperimentProtocol.PersistenceId(Name);
    private readonly SearchSpace _space = Spaces.Tiny();
    private readonly TestProbe _listener;

    public ExperimentActorTests(ITestOutputHelper output) : base(output)
    {
        _listener = CreateTestProbe("listener");
        _listener.IgnoreMessages<Progressed>();
    }

    private Settings Config(string name = Name, TimeSpan? lease = null, string settingsHash = "5e77165a5e77165a", SearchSpace? space = null,
        string strategy = ToyPlan.Name, bool readOnly = false) =>
        new(name, space ?? _space, strategy, 7, settingsHash, lease ?? TimeSpan.FromMinutes(10), readOnly);

    private static ToyPlan Plan(int batches = 2, int perBatch = 3, string? fail = null) => new(batches, perBatch, seed: 7, fail);

    private IActorRef Start(Settings settings, IPlan plan, ICheckpointJanitor? janitor = null, IActorRef? listener = null, ActorSystem? system = null) =>
        (system ?? Sys).ActorOf(ExperimentProtocol.Props(settings, plan, listener ?? _listener.Ref, janitor));

    private TestProbe Trainer(IActorRef experiment, string name, string? spaceHash = null, ActorSystem? system = null)
    {
        var t = CreateTestProbe(system ?? Sys, name);
        experiment.Tell(new RegisterTrainer(t.Ref, "cpu", spaceHash), t.Ref);
        return t;
    }

    /// <summary>The trainer reports <paramref name="result"/> and asks for more, as the real trainer does.</summary>
    private static void Report(TestProbe trainer, IActorRef experiment, WorkResult result)
    {
        experiment.Tell(result, trainer.Ref);
        experiment.Tell(new RequestWork(trainer.Ref), trainer.Ref);
    }

    /// <summary><see cref="Report"/>, then the acknowledgement, which comes before any further work.</summary>
    private static void Reply(TestProbe trainer, IActorRef experiment, WorkResult result)
    {
        Report(trainer, experiment, result);
        trainer.ExpectMsg(new ResultAcknowledged(result.Key));
    }

    private StatusResult Status(IActorRef experiment)
    {
        experiment.Tell(GetStatus.Instance, TestActor);
        return ExpectMsg<StatusResult>();
    }

    /// <summary>Works <paramref name="n"/> items with <paramref name="trainer"/> (which holds one already or gets one); returns them.</summary>
    private static List<ToyWork> Work(TestProbe trainer, IActorRef experiment, int n)
    {
        var done = new List<ToyWork>();
        for (var i = 0; i < n; i++)
        {
            var w = trainer.ExpectMsg<ToyWork>();
            Reply(trainer, experiment, ToyPlan.Done(w));
            done.Add(w);
        }
        return done;
    }

    private List<string> Tokens(string pid, string manifest) =>
        [.. Journal.Events(pid).Where(e => e.Manifest == manifest).Select(e => e.Json.GetProperty("Token").GetString()!)];

    // ---- queueing and handing out ----

    [Fact]
    public void ExperimentActor_must_journal_Started_and_the_plans_decision_then_queue_exactly_its_work()
    {
        var plan = Plan(batches: 2, perBatch: 3);
        var experiment = Start(Config(), plan);
        var t1 = Trainer(experiment, "t1");
        var t2 = Trainer(experiment, "t2");
        var first = new[] { t1.ExpectMsg<ToyWork>(), t2.ExpectMsg<ToyWork>() };

        var status = Status(experiment);
        Assert.Equal((Name, 2, 2), (status.Name, status.Trainers, status.InFlight));
        Assert.Equal(ToyPlan.Name, status.Plan.Strategy);
        Assert.Equal(new PlanCounter("batch", 1, 2), status.Plan.Counter("batch"));

        // A third trainer gets the last item of the batch; a fourth gets nothing: the queue is exactly the plan's work.
        var t3 = Trainer(experiment, "t3");
        var third = t3.ExpectMsg<ToyWork>();
        var t4 = Trainer(experiment, "t4");
        t4.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        var batch0 = plan.AllTokens()[0];
        Assert.Equal(batch0.Order(StringComparer.Ordinal), first.Append(third).Select(w => w.Token).Order(StringComparer.Ordinal));
        Assert.All(first.Append(third), w => Assert.Equal(0, w.Batch));
        Assert.Equal((4, 3), (Status(experiment).Trainers, Status(experiment).InFlight));

        // The journal: Started (format 2, what is searched and how), then the plan's decision, before any work went out.
        var events = Journal.Events(Pid);
        Assert.Equal([StartedManifest, Opened], events.Select(e => e.Manifest));
        Assert.All(events, e => Assert.Equal(NasSerializer.Id, e.SerializerId));
        var started = events[0].Json;
        Assert.Equal(ExperimentProtocol.Format, started.GetProperty("Format").GetInt32());
        Assert.Equal((Name, "tiny", _space.Hash, ToyPlan.Name, 7L, "5e77165a5e77165a"),
            (started.GetProperty("Name").GetString(), started.GetProperty("Space").GetString(), started.GetProperty("SpaceHash").GetString(),
                started.GetProperty("Strategy").GetString(), started.GetProperty("Seed").GetInt64(), started.GetProperty("SettingsHash").GetString()));
        Assert.Equal(_space.Choices.Length, started.GetProperty("Choices").GetArrayLength());
        Assert.Equal(batch0, events[1].Json.GetProperty("Tokens").EnumerateArray().Select(t => t.GetString()!));
    }

    [Fact]
    public void ExperimentActor_must_journal_and_apply_each_Emit_before_it_asks_the_plan_again()
    {
        var plan = Plan(batches: 2, perBatch: 1);
        var seen = new ConcurrentQueue<(int Applied, int Journaled)>();
        // Runs on the experiment's thread, inside Next: whatever the plan has applied is in the journal by then.
        plan.OnNext = s => seen.Enqueue((1 + s.Opened + s.Values, Journal.Events(Pid).Count));
        var experiment = Start(Config(), plan);
        var t = Trainer(experiment, "t");
        var w0 = t.ExpectMsg<ToyWork>();
        Reply(t, experiment, ToyPlan.Done(w0));
        var w1 = t.ExpectMsg<ToyWork>();
        Reply(t, experiment, ToyPlan.Done(w1));
        _listener.ExpectMsg<Completed>();

        Assert.Equal(["next", "apply opened 0", "next", $"apply recorded 0/{w0.Token}", "next", "apply opened 1", "next",
            $"apply recorded 1/{w1.Token}", "next"], plan.Trace);
        Assert.Equal(5, seen.Count);
        Assert.All(seen, x => Assert.Equal(x.Applied, x.Journaled));
        Assert.Equal([StartedManifest, Opened, Recorded, Opened, Recorded], Journal.Events(Pid).Select(e => e.Manifest));
    }

    [Fact]
    public void ExperimentActor_must_answer_RequestWork_from_an_unknown_trainer_with_RegisterAgain()
    {
        var experiment = Start(Config(), Plan());
        var stranger = CreateTestProbe("stranger");
        experiment.Tell(new RequestWork(stranger.Ref), stranger.Ref);
        stranger.ExpectMsg<RegisterAgain>();
        Assert.Equal((0, 0), (Status(experiment).Trainers, Status(experiment).InFlight)); // asking does not register

        experiment.Tell(new RegisterTrainer(stranger.Ref, "cpu"), stranger.Ref);
        stranger.ExpectMsg<ToyWork>();
        Assert.Equal((1, 1), (Status(experiment).Trainers, Status(experiment).InFlight));
    }

    [Fact]
    public void ExperimentActor_must_not_hand_work_to_a_trainer_that_registers_holding_work()
    {
        var experiment = Start(Config(), Plan());
        AwaitCondition(() => Journal.Count(Pid, Opened) == 1);
        var busy = CreateTestProbe("busy");
        experiment.Tell(new RegisterTrainer(busy.Ref, "cpu", Holding: "toy/0/elsewhere"), busy.Ref);
        busy.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal((1, 0), (Status(experiment).Trainers, Status(experiment).InFlight)); // registered (and watched), not idle

        experiment.Tell(new RequestWork(busy.Ref), busy.Ref);
        busy.ExpectMsg<ToyWork>();
        Assert.Equal(1, Status(experiment).InFlight);
    }

    // ---- results: acknowledged once journaled, recorded exactly once ----

    [Fact]
    public void ExperimentActor_must_acknowledge_a_result_only_once_its_event_is_journaled()
    {
        var experiment = Start(Config(), Plan());
        var t = Trainer(experiment, "t");
        var w = t.ExpectMsg<ToyWork>();
        Assert.Equal(0, Journal.Count(Pid, Recorded));

        // Hold the journal's write lock: the event cannot be written, so the result must not be acknowledged yet.
        using (var blocker = new SqliteConnection($"Data Source={Store.JournalPath};Pooling=False"))
        {
            blocker.Open();
            using (var begin = blocker.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                begin.ExecuteNonQuery();
            }
            experiment.Tell(ToyPlan.Done(w), t.Ref);
            t.ExpectNoMsg(TimeSpan.FromMilliseconds(700));
            using var rollback = blocker.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }
        t.ExpectMsg(new ResultAcknowledged(w.Key));
        // The acknowledgement is sent from the persist callback: by now the event is in the journal.
        Assert.Equal([w.Token], Tokens(Pid, Recorded));
        Assert.Equal(ToyPlan.ValueOf(w.Token), Status(experiment).Plan.Figures["total"]);
    }

    [Fact]
    public void ExperimentActor_must_acknowledge_duplicate_late_and_unknown_results_without_recording_them()
    {
        var plan = Plan(batches: 2, perBatch: 2);
        var experiment = Start(Config(), plan);
        var t1 = Trainer(experiment, "t1");
        var t2 = Trainer(experiment, "t2");
        var a = t1.ExpectMsg<ToyWork>();
        var b = t2.ExpectMsg<ToyWork>();

        Reply(t1, experiment, ToyPlan.Done(a));
        // A duplicate with other content, a result nobody asked for, and one of a kind this plan does not know.
        foreach (var stray in new WorkResult[] { ToyPlan.Done(a) with { Value = 1 }, new ToyDone("toy/9/nothing", 9, "nothing", 5), new SlicesMerged("merge/0", 0, "ck") })
        {
            experiment.Tell(stray, t1.Ref);
            t1.ExpectMsg(new ResultAcknowledged(stray.Key)); // acknowledged, so the trainer stops re-sending it
        }
        t2.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // an acknowledgement goes to the sender only
        Assert.Equal([a.Token], Tokens(Pid, Recorded));

        Reply(t2, experiment, ToyPlan.Done(b)); // batch 0 is complete: batch 1 opens
        var next = new[] { t1.ExpectMsg<ToyWork>(), t2.ExpectMsg<ToyWork>() };
        Assert.All(next, w => Assert.Equal(1, w.Batch));
        // Late: batch 0 is over.
        experiment.Tell(ToyPlan.Done(b), t2.Ref);
        t2.ExpectMsg(new ResultAcknowledged(b.Key));

        var status = Status(experiment);
        Assert.Equal(ToyPlan.ValueOf(a.Token) + ToyPlan.ValueOf(b.Token), status.Plan.Figures["total"]);
        Assert.Equal(2, status.Plan.Scored);
        Assert.Equal([a.Token, b.Token], Tokens(Pid, Recorded));
        Assert.Equal(2, Journal.Count(Pid, Opened));
    }

    [Fact]
    public void ExperimentActor_must_hand_work_out_again_when_its_lease_expires_and_record_it_once()
    {
        var experiment = Start(Config(lease: TimeSpan.FromMilliseconds(300)), Plan(batches: 1, perBatch: 1));
        var slow = Trainer(experiment, "slow");
        var w = slow.ExpectMsg<ToyWork>();
        var fast = Trainer(experiment, "fast");

        Assert.Equal(w, fast.ExpectMsg<ToyWork>(TimeSpan.FromSeconds(5)));
        slow.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // the stuck trainer is not given more work

        // Both finish: both are acknowledged, the result is recorded once, and the plan moves on once.
        Reply(fast, experiment, ToyPlan.Done(w));
        Reply(slow, experiment, ToyPlan.Done(w));
        _listener.ExpectMsg<Completed>();
        Assert.Equal([w.Token], Tokens(Pid, Recorded));
    }

    [Fact]
    public void ExperimentActor_must_hand_the_work_of_a_stopped_trainer_to_another()
    {
        var experiment = Start(Config(), Plan(batches: 1, perBatch: 1));
        var t1 = Trainer(experiment, "t1");
        var w = t1.ExpectMsg<ToyWork>();
        var t2 = Trainer(experiment, "t2");
        t2.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        Sys.Stop(t1.Ref);

        Assert.Equal(w, t2.ExpectMsg<ToyWork>());
        AwaitAssert(() => Assert.Equal((1, 1), (Status(experiment).Trainers, Status(experiment).InFlight)));
    }

    [Fact]
    public void ExperimentActor_must_keep_a_lease_alive_while_its_trainer_reports_progress()
    {
        var listener = CreateTestProbe("progress");
        var experiment = Start(Config(lease: TimeSpan.FromMilliseconds(1500)), Plan(batches: 1, perBatch: 1), listener: listener.Ref);
        var busy = Trainer(experiment, "busy");
        var w = busy.ExpectMsg<ToyWork>();
        var idle = Trainer(experiment, "idle");

        var report = new TrainerProgressed("cpu", new TrainProgress(0, 0, 10, 320, 1.5, 0.1));
        for (var i = 0; i < 10; i++)
        {
            experiment.Tell(report, busy.Ref);
            var p = listener.FishForMessage<Progressed>(m => m is Progressed { Live: not null });
            Assert.Equal(report, p.Live);
            Assert.Equal((1, 2), (p.Status.InFlight, p.Status.Trainers));
            idle.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // 3 s in all, two leases: never expired
        }
        Assert.Equal(w, idle.ExpectMsg<ToyWork>(TimeSpan.FromSeconds(5))); // silence: now it expires
    }

    // ---- the end of a plan ----

    [Fact]
    public void ExperimentActor_must_notify_Completed_when_the_plan_finishes_and_again_after_a_restart()
    {
        var plan = Plan(batches: 2, perBatch: 2);
        var experiment = Start(Config(), plan);
        var t = Trainer(experiment, "t");
        var done = Work(t, experiment, 4);
        var completed = _listener.ExpectMsg<Completed>();
        Assert.True(completed.Status.Plan.Finished);
        Assert.Equal("finished", completed.Status.Plan.Phase);
        Assert.Equal(done.Sum(w => ToyPlan.ValueOf(w.Token)), completed.Status.Plan.Figures["total"]);
        t.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // Recovered, the experiment knows it is finished and hands out nothing.
        StopAndWait(experiment);
        var revived = Start(Config(), Plan(batches: 2, perBatch: 2));
        Deep.Equal(completed.Status.Plan, _listener.ExpectMsg<Completed>().Status.Plan);
        Trainer(revived, "t2").ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, Journal.Count(Pid, StartedManifest));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ExperimentActor_must_notify_Failed_when_the_plan_fails(bool userError)
    {
        var experiment = Start(Config(), new ToyPlan(1, 1, 7, "no architecture meets the limits; raise them", userError));
        var t = Trainer(experiment, "t");
        Work(t, experiment, 1);
        var failed = _listener.ExpectMsg<Failed>();
        Assert.Equal(("no architecture meets the limits; raise them", userError), (failed.Reason, failed.UserError));
        experiment.Tell(new RequestWork(t.Ref), t.Ref);
        t.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void ExperimentActor_must_fail_on_a_work_failure_of_the_holder_and_ignore_a_stale_one()
    {
        var experiment = Start(Config(), Plan(batches: 1, perBatch: 2));
        var t1 = Trainer(experiment, "t1");
        var t2 = Trainer(experiment, "t2");
        var w1 = t1.ExpectMsg<ToyWork>();
        t2.ExpectMsg<ToyWork>();

        // t2 does not hold w1: its failure of w1 is stale.
        experiment.Tell(new WorkFailed(w1.Key, "cpu", "checkpoint gone", true), t2.Ref);
        _listener.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        experiment.Tell(new WorkFailed(w1.Key, "cuda:0", "this build has no CUDA support; use cpu", true), t1.Ref);
        var failed = _listener.ExpectMsg<Failed>();
        Assert.True(failed.UserError);
        Assert.Contains("no CUDA support", failed.Reason);
        Assert.Contains(w1.Key, failed.Reason);
        Assert.Contains("cuda:0", failed.Reason);
        experiment.Tell(new RequestWork(t1.Ref), t1.Ref);
        t1.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // a failed experiment hands out nothing more
    }

    /// <summary>
    /// The only trainer's lease expires (its work goes back to the queue, with nobody idle to take it), then that work
    /// fails on it: the failure is stale, but the trainer is idle now and must get the queued work again, or the
    /// experiment would wait forever.
    /// </summary>
    [Fact]
    public void ExperimentActor_must_hand_work_again_to_a_trainer_whose_stale_work_failed()
    {
        // A lease long enough that the work, handed out again, cannot expire again before the test fails it.
        var experiment = Start(Config(lease: TimeSpan.FromSeconds(1)), Plan(batches: 1, perBatch: 1));
        var t = Trainer(experiment, "t");
        var w = t.ExpectMsg<ToyWork>();
        AwaitCondition(() => Status(experiment).InFlight == 0, TimeSpan.FromSeconds(5)); // expired: queued again

        experiment.Tell(new WorkFailed(w.Key, "cpu", "its start checkpoint is gone", false), t.Ref);
        _listener.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // stale: not the experiment's failure
        Assert.Equal(w, t.ExpectMsg<ToyWork>());

        experiment.Tell(new WorkFailed(w.Key, "cpu", "its start checkpoint is gone", false), t.Ref); // held now: it fails
        Assert.Contains("its start checkpoint is gone", _listener.ExpectMsg<Failed>().Reason);
    }

    // ---- restart: replay and continue exactly ----

    [Fact]
    public void ExperimentActor_must_replay_its_journal_after_a_restart_and_continue_with_the_same_work()
    {
        // Uninterrupted: the same plan under another persistence id, one trainer.
        var straight = Start(Config(name: "straight"), Plan(batches: 3, perBatch: 2));
        var s = Trainer(straight, "s");
        var expected = Work(s, straight, 6);
        var straightDone = _listener.ExpectMsg<Completed>();

        // Interrupted in batch 1, after one of its two results.
        var experiment = Start(Config(), Plan(batches: 3, perBatch: 2));
        var t = Trainer(experiment, "t");
        var before = Work(t, experiment, 3);
        t.ExpectMsg<ToyWork>(); // in flight when the actor stops: redone after the restart
        StopAndWait(experiment);

        var revived = Start(Config(), Plan(batches: 3, perBatch: 2));
        Assert.Equal(3, Status(revived).Plan.Scored); // replayed before it answers
        var t2 = Trainer(revived, "t2");
        var after = Work(t2, revived, 3);
        var done = _listener.ExpectMsg<Completed>();

        Assert.Equal(expected.Select(w => w.Key), before.Concat(after).Select(w => w.Key));
        Deep.Equal(straightDone.Status.Plan, done.Status.Plan);
        Assert.Equal(1, Journal.Count(Pid, StartedManifest));
        Assert.Equal(3, Journal.Count(Pid, Opened));
        Assert.Equal(expected.Select(w => w.Token), Tokens(Pid, Recorded)); // every result recorded exactly once
    }

    [Fact]
    public async Task ExperimentActor_must_resume_in_a_new_actor_system_over_the_same_journal()
    {
        var plan = Plan(batches: 2, perBatch: 2);
        var tokens = plan.AllTokens();
        var first = Store.NewSystem("first");
        try
        {
            var listener = CreateTestProbe(first, "first-listener");
            var experiment = Start(Config(), plan, listener: listener.Ref, system: first);
            var t = Trainer(experiment, "t", system: first);
            Work(t, experiment, 3);
        }
        finally
        {
            await first.Terminate();
            SqliteConnection.ClearAllPools();
        }

        var revived = Start(Config(), Plan(batches: 2, perBatch: 2));
        var t2 = Trainer(revived, "t2");
        var last = t2.ExpectMsg<ToyWork>();
        Assert.Equal((1, tokens[1][1]), (last.Batch, last.Token));
        Reply(t2, revived, ToyPlan.Done(last));
        _listener.ExpectMsg<Completed>();
        Assert.Equal(tokens.SelectMany(x => x), Tokens(Pid, Recorded));
    }

    [Fact]
    public void ExperimentActor_must_refuse_to_resume_with_other_settings()
    {
        var experiment = Start(Config(settingsHash: "aaaaaaaaaaaaaaaaaaaa"), Plan());
        Work(Trainer(experiment, "t"), experiment, 1);
        StopAndWait(experiment);

        var revived = Start(Config(settingsHash: "bbbbbbbbbbbbbbbbbbbb"), Plan());
        var failed = _listener.ExpectMsg<Failed>();
        Assert.True(failed.UserError);
        Assert.Contains("different settings", failed.Reason);
        Assert.Contains("aaaaaaaaaaaa", failed.Reason);
        Assert.Contains("bbbbbbbbbbbb", failed.Reason);
        Assert.Contains($"'{Name}'", failed.Reason);
        Trainer(revived, "t2").ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        StopAndWait(revived);

        // Read-only (status, export) it still answers: the settings do not matter for reading, and it hands out nothing.
        var reader = Start(Config(settingsHash: "bbbbbbbbbbbbbbbbbbbb", readOnly: true), Plan());
        Assert.Equal(1, Status(reader).Plan.Scored);
        Trainer(reader, "t3").ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        _listener.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal([StartedManifest, Opened, Recorded], Journal.Events(Pid).Select(e => e.Manifest)); // neither start wrote anything
    }

    [Theory]
    [InlineData("space")]
    [InlineData("strategy")]
    public void ExperimentActor_must_refuse_to_resume_with_another_search_space_or_strategy(string change)
    {
        var experiment = Start(Config(), Plan());
        Trainer(experiment, "t").ExpectMsg<ToyWork>();
        StopAndWait(experiment);

        var other = Spaces.Other();
        var revived = Start(change == "space" ? Config(space: other) : Config(strategy: "other-toy"), Plan());
        var failed = _listener.ExpectMsg<Failed>();
        Assert.True(failed.UserError);
        Assert.Contains(Hashes.Short(_space.Hash), failed.Reason);
        Assert.Contains(change == "space" ? Hashes.Short(other.Hash) : "other-toy", failed.Reason);
        Assert.Contains("original config", failed.Reason);
        Trainer(revived, "t2").ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, Journal.Count(Pid, StartedManifest)); // nothing written by the refused start
    }

    /// <summary>
    /// A journal of another strategy cannot even be folded by this plan (its events are not this plan's): the refusal
    /// must still say what differs, not that the journal is corrupt.
    /// </summary>
    [Fact]
    public void ExperimentActor_must_refuse_to_resume_with_a_plan_of_another_strategy_before_replaying_it()
    {
        var experiment = Start(Config(), Plan());
        Work(Trainer(experiment, "t"), experiment, 2);
        StopAndWait(experiment);

        var settings = NasActors.Runtime.Configuration.NasSettings.Create(NasActors.Runtime.Configuration.NasConfig.Parse("", "test.conf"), "test.conf");
        var population = settings.CreatePlan(_space, Spaces.CostsOf(_space));
        var revived = Start(Config(strategy: population.Strategy), population);
        var failed = _listener.ExpectMsg<Failed>();
        Assert.True(failed.UserError);
        Assert.Contains($"was started with strategy {ToyPlan.Name}", failed.Reason);
        Assert.Contains($"config now gives {population.Strategy}", failed.Reason);
        Assert.DoesNotContain("corrupt", failed.Reason);
        Trainer(revived, "t2").ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Theory]
    [InlineData("nas.from-the-future.v9", "nas.from-the-future.v9")]
    [InlineData("nas.population.score-recorded.v1", "store format 1")]
    public void ExperimentActor_must_fail_clearly_when_its_journal_cannot_be_replayed(string manifest, string expected)
    {
        var experiment = Start(Config(), Plan());
        Work(Trainer(experiment, "t"), experiment, 1);
        StopAndWait(experiment);
        Journal.SetManifest(Pid, 3, manifest);

        var watcher = CreateTestProbe();
        var revived = Start(Config(), Plan());
        watcher.Watch(revived);
        var failed = _listener.ExpectMsg<Failed>();
        Assert.True(failed.UserError);
        Assert.Contains($"journal of experiment '{Name}' cannot be replayed", failed.Reason);
        Assert.Contains(expected, failed.Reason);
        Assert.Contains("restore the store from a backup", failed.Reason);
        Assert.DoesNotContain("\n", failed.Reason);
        watcher.ExpectTerminated(revived);
    }

    // ---- trainers that may not work for this experiment ----

    [Fact]
    public void ExperimentActor_must_refuse_a_trainer_of_another_protocol_version()
    {
        var experiment = Start(Config(), Plan());
        AwaitCondition(() => Journal.Count(Pid, Opened) == 1); // work is queued
        var old = CreateTestProbe("old");
        EventFilter.Warning(contains: "refused trainer").ExpectOne(TimeSpan.FromSeconds(10), () =>
            experiment.Tell(new RegisterTrainer(old.Ref, "cuda:3", _space.Hash, NasProtocol.Current + 1), old.Ref));
        var refused = old.ExpectMsg<RegistrationRefused>();
        Assert.Contains($"protocol version {NasProtocol.Current + 1}", refused.Reason);
        Assert.Contains($"speaks {NasProtocol.Current}", refused.Reason);

        // Not a trainer: asking gets it nothing but RegisterAgain.
        Assert.Equal((0, 0), (Status(experiment).Trainers, Status(experiment).InFlight));
        experiment.Tell(new RequestWork(old.Ref), old.Ref);
        old.ExpectMsg<RegisterAgain>();
        Trainer(experiment, "good", _space.Hash).ExpectMsg<ToyWork>();
        old.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, Status(experiment).Trainers);
    }

    [Fact]
    public void ExperimentActor_must_refuse_a_trainer_built_for_another_search_space()
    {
        var experiment = Start(Config(), Plan());
        var other = CreateTestProbe("other");
        var otherHash = Spaces.Other().Hash;
        EventFilter.Warning(contains: "refused trainer").ExpectOne(TimeSpan.FromSeconds(10), () =>
            experiment.Tell(new RegisterTrainer(other.Ref, "cpu", otherHash), other.Ref));
        var refused = other.ExpectMsg<RegistrationRefused>();
        Assert.Contains($"search space {Hashes.Short(otherHash)}", refused.Reason);
        Assert.Contains($"'{Name}' searches {Hashes.Short(_space.Hash)}", refused.Reason);
        Assert.Equal(0, Status(experiment).Trainers);

        // The same space (stated) is accepted and gets the queued work; the refused one never does.
        Trainer(experiment, "same", _space.Hash).ExpectMsg<ToyWork>();
        other.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    // ---- checkpoints ----

    private sealed class RecordingJanitor(Func<int> journaled) : ICheckpointJanitor
    {
        public readonly ConcurrentQueue<(string[] Released, int Journaled)> Calls = new();
        public void Release(IReadOnlyCollection<string> checkpoints) => Calls.Enqueue(([.. checkpoints], journaled()));
    }

    [Fact]
    public void ExperimentActor_must_release_what_the_plan_releases_only_once_the_event_is_journaled()
    {
        var janitor = new RecordingJanitor(() => Journal.Count(Pid, Opened));
        var experiment = Start(Config(), Plan(batches: 3, perBatch: 1), janitor);
        var t = Trainer(experiment, "t");
        Work(t, experiment, 1);
        AwaitCondition(() => janitor.Calls.Count == 1);
        Assert.Equal(("batch-0", 2), (Assert.Single(janitor.Calls.Single().Released), janitor.Calls.Single().Journaled));
        Work(t, experiment, 2);
        _listener.ExpectMsg<Completed>();
        Assert.Equal([("batch-0", 2), ("batch-1", 3)], janitor.Calls.Select(c => (Assert.Single(c.Released), c.Journaled)));
    }
}
