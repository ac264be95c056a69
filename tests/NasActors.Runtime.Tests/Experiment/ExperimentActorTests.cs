using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit;
using NasActors.Core.Experiments;
using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Serialization;
using NasActors.Runtime.Tests.Support;
using Xunit.Abstractions;
using static NasActors.Runtime.Experiment.ExperimentProtocol;
using P = NasActors.Runtime.Population.PopulationProtocol;
using Settings = NasActors.Runtime.Experiment.ExperimentProtocol.Settings;

namespace NasActors.Runtime.Tests.Experiment;

public sealed class ExperimentActorTests : SqliteTestKit
{
    private const string Name = "exp";
    private static readonly string Pid = ExperimentProtocol.PersistenceId(Name);
    private readonly TestProbe _population;
    private readonly TestProbe _listener;

    public ExperimentActorTests(ITestOutputHelper output) : base(output)
    {
        _population = CreateTestProbe("population");
        _listener = CreateTestProbe("listener");
        _listener.IgnoreMessages<Progressed>();
    }

    /// <summary>Experiment settings as the host builds them: from nas.* config, one slot per device.</summary>
    private static Settings Config(int slots = 1, long stepsPerSlot = 2, int stepsPerRound = 2, TimeSpan? lease = null,
        int snapshotEvery = 1000, string spaceHash = "0011223344556677")
    {
        var devices = string.Join(", ", Enumerable.Repeat("cpu", slots));
        var leaseMs = (int)(lease ?? TimeSpan.FromMinutes(10)).TotalMilliseconds;
        var text = $$"""
            nas.trainers.devices = [{{devices}}]
            nas.train { total-steps = {{stepsPerSlot * slots}}, steps-per-round = {{stepsPerRound}}, batch-size = 32 }
            nas.runtime { lease-timeout = {{leaseMs}}ms, snapshot-every = {{snapshotEvery}} }
            """;
        var nas = NasSettings.Create(NasConfig.Parse(text, "test.conf"), "test.conf");
        var settings = Settings.Create(nas, Name, spaceHash);
        Assert.Equal((slots, stepsPerSlot, stepsPerRound), (settings.Slots, settings.StepsPerSlot, settings.StepsPerRound));
        return settings;
    }

    private IActorRef Start(Settings settings) => Sys.ActorOf(ExperimentProtocol.Props(settings, _population.Ref, _listener.Ref));

    private TestProbe Trainer(IActorRef experiment, string name)
    {
        var t = CreateTestProbe(name);
        experiment.Tell(new RegisterTrainer(t.Ref, "cpu"), t.Ref);
        return t;
    }

    private static SliceTrained Trained(TrainSlice w, string? checkpoint = null, int? images = null) =>
        new(w.Key, w.Slice, new SliceResult(checkpoint ?? FakeBackendFactory.SliceCheckpoint(w.Slice), 0.5, 0.25, images ?? w.Slice.Steps * 32, 0.1));

    private static string KeyOf(object result) => result switch
    {
        SliceTrained r => r.Key,
        SlicesMerged r => r.Key,
        RolloutScored r => r.Key,
        RolloutRetrained r => r.Key,
        _ => throw new ArgumentException("not a result: " + result.GetType().Name),
    };

    /// <summary>The trainer reports <paramref name="result"/> and asks for more, as the real trainer does.</summary>
    private static void Report(TestProbe trainer, IActorRef experiment, object result)
    {
        experiment.Tell(result, trainer.Ref);
        experiment.Tell(new RequestWork(trainer.Ref), trainer.Ref);
    }

    /// <summary>
    /// <see cref="Report"/>, for a result the experiment journals (or drops as stale) itself: it is acknowledged to the
    /// trainer before the trainer is handed anything else (the trainer's RequestWork waits behind the persist).
    /// </summary>
    private static void Reply(TestProbe trainer, IActorRef experiment, object result)
    {
        Report(trainer, experiment, result);
        trainer.ExpectMsg(new ResultAcknowledged(KeyOf(result)));
    }

    private StatusResult Status(IActorRef experiment)
    {
        experiment.Tell(GetStatus.Instance, TestActor);
        return ExpectMsg<StatusResult>();
    }

    private static Rollout R(int id, params string[] choices) => new(new RolloutId(id), Spaces.Arch(choices), 0, "gen 0 random");

    /// <summary>Trains the single slot of every round with <paramref name="trainer"/>; returns the last checkpoint.</summary>
    private static string TrainAllRounds(TestProbe trainer, IActorRef experiment, int rounds)
    {
        string? ckpt = null;
        for (var round = 0; round < rounds; round++)
        {
            var w = trainer.ExpectMsg<TrainSlice>();
            Assert.Equal(round, w.Slice.Round);
            Assert.Equal(ckpt, w.Slice.FromCheckpoint);
            Reply(trainer, experiment, Trained(w));
            ckpt = FakeBackendFactory.SliceCheckpoint(w.Slice);
        }
        return ckpt!;
    }

    [Fact]
    public void ExperimentActor_must_register_trainers_and_hand_each_slot_of_round_0_out()
    {
        var experiment = Start(Config(slots: 2, stepsPerSlot: 6, stepsPerRound: 4));
        var t1 = Trainer(experiment, "t1");
        var t2 = Trainer(experiment, "t2");

        var w1 = t1.ExpectMsg<TrainSlice>();
        var w2 = t2.ExpectMsg<TrainSlice>();
        Assert.Equal([0, 1], new[] { w1.Slice.Slot, w2.Slice.Slot }.Order());
        foreach (var w in new[] { w1, w2 })
            Assert.Equal(new SupernetSlice(0, w.Slice.Slot, 2, null, 0, 4), w.Slice);

        var status = Status(experiment);
        Assert.Equal(Phase.Supernet, status.Phase);
        Assert.Equal(2, status.Trainers);
        Assert.Equal(2, status.InFlight);
        Assert.Equal(2, status.Rounds);
        Assert.Equal(1, Journal.Count(Pid, "nas.experiment.started.v1"));
    }

    [Fact]
    public void ExperimentActor_must_merge_both_slots_before_the_next_round()
    {
        var experiment = Start(Config(slots: 2, stepsPerSlot: 6, stepsPerRound: 4));
        var t1 = Trainer(experiment, "t1");
        var t2 = Trainer(experiment, "t2");
        var bySlot = new[] { (t1, t1.ExpectMsg<TrainSlice>()), (t2, t2.ExpectMsg<TrainSlice>()) }.OrderBy(x => x.Item2.Slice.Slot).ToArray();

        Reply(bySlot[1].Item1, experiment, Trained(bySlot[1].Item2)); // slot 1 reports first
        bySlot[1].Item1.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // nothing to do until slot 0 is in
        Reply(bySlot[0].Item1, experiment, Trained(bySlot[0].Item2));

        var merge = bySlot[1].Item1.ExpectMsg<MergeSlices>();
        Assert.Equal(0, merge.Round);
        Assert.Equal(bySlot.Select(x => FakeBackendFactory.SliceCheckpoint(x.Item2.Slice)), merge.Checkpoints.AsEnumerable()); // slot order
        var merged = FakeBackendFactory.MergeCheckpoint(merge.Checkpoints);
        Reply(bySlot[1].Item1, experiment, new SlicesMerged(merge.Key, 0, merged));

        // Round 1: both slots start from the merged weights; the last round is shorter (6 = 4 + 2 steps).
        var next = new[] { bySlot[0].Item1.ExpectMsg<TrainSlice>(), bySlot[1].Item1.ExpectMsg<TrainSlice>() };
        Assert.All(next, w => Assert.Equal((1, merged, 4L, 2), (w.Slice.Round, w.Slice.FromCheckpoint, w.Slice.FirstStep, w.Slice.Steps)));
        Assert.Equal(1, Status(experiment).RoundsDone);
        Assert.Equal(1, Journal.Count(Pid, "nas.experiment.round-completed.v1"));
    }

    [Fact]
    public void ExperimentActor_must_ask_the_population_for_rollouts_after_the_last_round()
    {
        var experiment = Start(Config(stepsPerSlot: 4, stepsPerRound: 2));
        var t = Trainer(experiment, "t");
        var w0 = t.ExpectMsg<TrainSlice>();
        Reply(t, experiment, Trained(w0));
        var w1 = t.ExpectMsg<TrainSlice>();
        Assert.Equal(new SupernetSlice(1, 0, 1, FakeBackendFactory.SliceCheckpoint(w0.Slice), 2, 2), w1.Slice);
        _population.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Reply(t, experiment, Trained(w1));

        _population.ExpectMsg<P.GetRollouts>();
        var status = Status(experiment);
        Assert.Equal(Phase.Search, status.Phase);
        Assert.Equal(FakeBackendFactory.SliceCheckpoint(w1.Slice), status.SupernetCheckpoint);
    }

    [Fact]
    public void ExperimentActor_must_forward_scores_to_the_population_and_finish_with_a_test_score()
    {
        var experiment = Start(Config());
        var t = Trainer(experiment, "t");
        var ckpt = TrainAllRounds(t, experiment, 1);
        _population.ExpectMsg<P.GetRollouts>();
        var r0 = R(0, "a", "a", "a", "a");
        var r1 = R(1, "b", "c", "a", "b");
        _population.Reply(new P.RolloutsResult(0, [r0, r1], false, [], 0));

        var scored = new List<ScoredRollout>();
        var w = t.ExpectMsg<ScoreRollout>();
        foreach (var (r, last) in new[] { (r0, false), (r1, true) })
        {
            Assert.Equal((r.Id, ckpt, EvalSplit.Validation), (w.Rollout.Id, w.Checkpoint, w.Split));
            var m = FakeBackendFactory.ScoreOf(w.Rollout.Architecture, EvalSplit.Validation);
            Report(t, experiment, new RolloutScored(w.Key, r.Id, EvalSplit.Validation, m));
            var record = _population.ExpectMsg<P.RecordScore>();
            Assert.Equal(new P.RecordScore(r.Id, m), record);
            // Not acknowledged yet (the population has not recorded it): the next work item comes first.
            var next = last ? null : t.ExpectMsg<ScoreRollout>();
            scored.Add(new ScoredRollout(r, m));
            _population.Reply(new P.ScoreRecordedResult(r.Id, false, last, false, 0, scored.Count, scored[0]));
            t.ExpectMsg(new ResultAcknowledged(w.Key));
            w = next!;
        }

        // The generation is complete: the experiment asks again, and the population says the search is over.
        _population.ExpectMsg<P.GetRollouts>();
        var top = scored.Order(ScoredRollout.BestFirst).ToImmutableArray();
        _population.Reply(new P.RolloutsResult(0, [], true, top, 2));

        var test = t.ExpectMsg<ScoreRollout>();
        Assert.Equal((top[0].Rollout.Id, ckpt, EvalSplit.Test), (test.Rollout.Id, test.Checkpoint, test.Split));
        var tm = FakeBackendFactory.ScoreOf(test.Rollout.Architecture, EvalSplit.Test);
        Reply(t, experiment, new RolloutScored(test.Key, test.Rollout.Id, EvalSplit.Test, tm));

        var done = _listener.ExpectMsg<Completed>();
        Assert.Equal(Phase.Finished, done.Status.Phase);
        Assert.Equal(tm, done.Status.TestMetrics);
        Assert.Equal(top.Select(s => s.Rollout.Id), done.Status.Top.Select(s => s.Rollout.Id));
        _population.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // the test score is not a search result
        Assert.Equal(1, Journal.Count(Pid, "nas.experiment.search-completed.v1"));
        Assert.Equal(1, Journal.Count(Pid, "nas.experiment.test-completed.v1"));

        // Recovered, the experiment knows it is finished and hands out nothing.
        StopAndWait(experiment);
        var revived = Start(Config());
        var again = _listener.ExpectMsg<Completed>();
        Assert.Equal(tm, again.Status.TestMetrics);
        var t2 = Trainer(revived, "t2");
        t2.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void ExperimentActor_must_ignore_duplicate_and_late_slice_results()
    {
        var experiment = Start(Config(slots: 2, stepsPerSlot: 4, stepsPerRound: 2));
        var t1 = Trainer(experiment, "t1");
        var t2 = Trainer(experiment, "t2");
        var w1 = t1.ExpectMsg<TrainSlice>();
        var w2 = t2.ExpectMsg<TrainSlice>();

        Reply(t1, experiment, Trained(w1));
        experiment.Tell(Trained(w1, checkpoint: "ffffffffffffffff", images: 100_000), t1.Ref); // duplicate, different content
        t1.ExpectMsg(new ResultAcknowledged(w1.Key)); // acknowledged, so the trainer stops re-sending it
        Reply(t2, experiment, Trained(w2));

        var merge = t1.ExpectMsg<MergeSlices>(); // t1 asked for work first
        Assert.DoesNotContain("ffffffffffffffff", merge.Checkpoints);
        Assert.Equal(FakeBackendFactory.SliceCheckpoint(w1.Slice), merge.Checkpoints[w1.Slice.Slot]);
        Assert.Equal(2 * 2 * 32, Status(experiment).ImagesTrained);

        experiment.Tell(new SlicesMerged(merge.Key, 0, "m000000000000000"), t1.Ref);
        t1.ExpectMsg(new ResultAcknowledged(merge.Key));
        Assert.Equal(1, Status(experiment).RoundsDone);
        var round1 = t2.ExpectMsg<TrainSlice>(); // the idle trainer starts round 1 from the merged weights
        Assert.Equal((1, "m000000000000000"), (round1.Slice.Round, round1.Slice.FromCheckpoint));
        experiment.Tell(Trained(w2, images: 100_000), t2.Ref); // late: round 0 is over
        t2.ExpectMsg(new ResultAcknowledged(w2.Key));
        experiment.Tell(new SlicesMerged(merge.Key, 0, "m0-again-0000000"), t1.Ref); // late merge
        t1.ExpectMsg(new ResultAcknowledged(merge.Key));
        var status = Status(experiment);
        Assert.Equal(1, status.RoundsDone);
        Assert.Equal("m000000000000000", status.SupernetCheckpoint);
        Assert.Equal(2 * 2 * 32, status.ImagesTrained);
        Assert.Equal(2, Journal.Count(Pid, "nas.experiment.slice-completed.v1"));
        Assert.Equal(1, Journal.Count(Pid, "nas.experiment.round-completed.v1"));
    }

    [Fact]
    public void ExperimentActor_must_hand_the_work_of_a_stopped_trainer_to_another()
    {
        var experiment = Start(Config());
        var t1 = Trainer(experiment, "t1");
        var w = t1.ExpectMsg<TrainSlice>();
        var t2 = Trainer(experiment, "t2");
        t2.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        Sys.Stop(t1.Ref);

        Assert.Equal(w.Slice, t2.ExpectMsg<TrainSlice>().Slice);
        AwaitAssert(() => Assert.Equal(1, Status(experiment).Trainers));
    }

    [Fact]
    public void ExperimentActor_must_hand_work_out_again_when_its_lease_expires()
    {
        var experiment = Start(Config(lease: TimeSpan.FromMilliseconds(100)));
        var slow = Trainer(experiment, "slow");
        var w = slow.ExpectMsg<TrainSlice>();
        var fast = Trainer(experiment, "fast");

        var again = fast.ExpectMsg<TrainSlice>(TimeSpan.FromSeconds(5));
        Assert.Equal(w.Slice, again.Slice);
        slow.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // the stuck trainer is not given more work

        // Both finish: the result is recorded once.
        Reply(slow, experiment, Trained(w));
        Reply(fast, experiment, Trained(again));
        _population.ExpectMsg<P.GetRollouts>();
        Assert.Equal(1, Journal.Count(Pid, "nas.experiment.slice-completed.v1"));
        Assert.Equal(w.Slice.Steps * 32, Status(experiment).ImagesTrained);
    }

    [Fact]
    public void ExperimentActor_must_report_a_user_error_from_a_trainer_as_Failed()
    {
        var experiment = Start(Config(stepsPerSlot: 4));
        var t = Trainer(experiment, "t");
        var w = t.ExpectMsg<TrainSlice>();

        experiment.Tell(new WorkFailed(w.Key, "cuda:0", "this build has no CUDA support; use cpu", true), t.Ref);

        var failed = _listener.ExpectMsg<Failed>();
        Assert.True(failed.UserError);
        Assert.Contains("no CUDA support", failed.Reason);
        Assert.Contains(w.Key, failed.Reason);
        experiment.Tell(new RequestWork(t.Ref), t.Ref);
        t.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // a failed experiment hands out nothing more
    }

    [Fact]
    public void ExperimentActor_must_fail_when_its_population_stops()
    {
        Start(Config());
        Sys.Stop(_population.Ref);
        var failed = _listener.ExpectMsg<Failed>();
        Assert.Contains("population", failed.Reason);
    }

    [Fact]
    public void ExperimentActor_must_resume_at_the_round_it_was_stopped_in()
    {
        var settings = Config(stepsPerSlot: 6, stepsPerRound: 2, snapshotEvery: 2);
        var experiment = Start(settings);
        var t = Trainer(experiment, "t");
        var w0 = t.ExpectMsg<TrainSlice>();
        Reply(t, experiment, Trained(w0));
        var w1 = t.ExpectMsg<TrainSlice>();
        Assert.Equal(1, w1.Slice.Round);

        StopAndWait(experiment); // killed while round 1 is in flight
        var revived = Start(settings);
        var t2 = Trainer(revived, "t2");

        var resumed = t2.ExpectMsg<TrainSlice>();
        Assert.Equal(new SupernetSlice(1, 0, 1, FakeBackendFactory.SliceCheckpoint(w0.Slice), 2, 2), resumed.Slice);
        Assert.Equal(1, Journal.Count(Pid, "nas.experiment.started.v1"));
        Assert.NotEmpty(Journal.Snapshots(Pid));
        Reply(t2, revived, Trained(resumed));
        Assert.Equal(2, t2.ExpectMsg<TrainSlice>().Slice.Round);
    }

    [Fact]
    public void ExperimentActor_must_not_redo_a_slot_finished_before_the_restart()
    {
        var settings = Config(slots: 2, stepsPerSlot: 4, stepsPerRound: 2);
        var experiment = Start(settings);
        var t1 = Trainer(experiment, "t1");
        var t2 = Trainer(experiment, "t2");
        var w1 = t1.ExpectMsg<TrainSlice>();
        var w2 = t2.ExpectMsg<TrainSlice>();
        Reply(t1, experiment, Trained(w1));
        AwaitCondition(() => Journal.Count(Pid, "nas.experiment.slice-completed.v1") == 1);

        StopAndWait(experiment);
        var revived = Start(settings);
        var a = Trainer(revived, "a");
        var b = Trainer(revived, "b");

        var redo = a.ExpectMsg<TrainSlice>();
        Assert.Equal(w2.Slice, redo.Slice); // only the unfinished slot
        b.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Reply(a, revived, Trained(redo));
        var merge = b.ExpectMsg<MergeSlices>();
        Assert.Equal(2, merge.Checkpoints.Length);
        Assert.Equal(FakeBackendFactory.SliceCheckpoint(w1.Slice), merge.Checkpoints[w1.Slice.Slot]);
    }

    [Fact]
    public void ExperimentActor_must_refuse_to_resume_with_another_search_space()
    {
        var experiment = Start(Config(spaceHash: "aaaaaaaaaaaaaaaa"));
        Trainer(experiment, "t").ExpectMsg<TrainSlice>();
        StopAndWait(experiment);

        var revived = Start(Config(spaceHash: "bbbbbbbbbbbbbbbb"));
        var failed = _listener.ExpectMsg<Failed>();
        Assert.True(failed.UserError);
        Assert.Contains("aaaaaaaaaaaaaaaa", failed.Reason);
        Trainer(revived, "t2").ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void ExperimentActor_must_fail_clearly_when_the_search_ends_with_nothing_scored()
    {
        var experiment = Start(Config());
        var t = Trainer(experiment, "t");
        TrainAllRounds(t, experiment, 1);
        _population.ExpectMsg<P.GetRollouts>();
        // The space is exhausted under the FLOPs/params limits before anything was scored: generation 0 is empty.
        _population.Reply(new P.RolloutsResult(0, [], true, [], 0));
        var failed = _listener.ExpectMsg<Failed>(TimeSpan.FromSeconds(3));
        Assert.True(failed.UserError);
    }

    [Fact]
    public void ExperimentActor_must_stop_its_lease_timer_when_it_stops()
    {
        var experiment = Start(Config());
        Trainer(experiment, "t").ExpectMsg<TrainSlice>(); // recovered: the lease timer runs
        var dead = CreateTestProbe();
        Sys.EventStream.Subscribe(dead.Ref, typeof(Akka.Event.DeadLetter));
        StopAndWait(experiment);
        var ticks = dead.ReceiveWhile<Akka.Event.DeadLetter>(TimeSpan.FromSeconds(2.5), o => (o as Akka.Event.DeadLetter)!)
            .Where(d => d.Recipient.Equals(experiment)).Select(d => d.Message.GetType().Name).ToList();
        Assert.Empty(ticks);
    }

    private sealed class RecordingJanitor : ICheckpointJanitor
    {
        public readonly System.Collections.Concurrent.ConcurrentQueue<string[]> Released = new();
        public void Release(IReadOnlyCollection<string> checkpoints) => Released.Enqueue([.. checkpoints]);
    }

    // Checkpoint names are 16 characters, like the hashes trainers return: the progress line shows their first 12.
    [Fact]
    public void ExperimentActor_must_release_only_checkpoints_resume_no_longer_needs()
    {
        var janitor = new RecordingJanitor();
        var experiment = Sys.ActorOf(ExperimentProtocol.Props(Config(slots: 2, stepsPerSlot: 4, stepsPerRound: 2), _population.Ref, _listener.Ref, janitor));
        var t = Trainer(experiment, "t");
        // Round 0: two slices, then the merge. Nothing older exists, so only the slices' files are released.
        var s0 = t.ExpectMsg<TrainSlice>(); Reply(t, experiment, Trained(s0, "a000000000000000"));
        var s1 = t.ExpectMsg<TrainSlice>(); Reply(t, experiment, Trained(s1, "a100000000000000"));
        var m0 = t.ExpectMsg<MergeSlices>(); Reply(t, experiment, new SlicesMerged(m0.Key, 0, "m000000000000000"));
        AwaitCondition(() => janitor.Released.Count == 1);
        Assert.Equal(["a000000000000000", "a100000000000000"], janitor.Released.Single().Order());
        // Round 1 starts from m0, which must be kept until round 1 is journaled.
        var r1a = t.ExpectMsg<TrainSlice>(); Assert.Equal("m000000000000000", r1a.Slice.FromCheckpoint); Reply(t, experiment, Trained(r1a, "b000000000000000"));
        var r1b = t.ExpectMsg<TrainSlice>(); Reply(t, experiment, Trained(r1b, "b100000000000000"));
        var m1 = t.ExpectMsg<MergeSlices>(); Reply(t, experiment, new SlicesMerged(m1.Key, 1, "m100000000000000"));
        AwaitCondition(() => janitor.Released.Count == 2);
        Assert.Equal(["b000000000000000", "b100000000000000", "m000000000000000"], janitor.Released.Last().Order());
        Assert.DoesNotContain(janitor.Released.SelectMany(x => x), c => c == "m100000000000000");
    }

    // ---- acknowledgements and registration (the trainer keeps a result until it is acknowledged) ----

    [Fact]
    public void ExperimentActor_must_acknowledge_a_slice_result_only_once_it_is_journaled_and_a_duplicate_at_once()
    {
        var experiment = Start(Config(slots: 2, stepsPerSlot: 4, stepsPerRound: 2));
        var t1 = Trainer(experiment, "t1");
        var t2 = Trainer(experiment, "t2");
        var w1 = t1.ExpectMsg<TrainSlice>();
        t2.ExpectMsg<TrainSlice>();

        experiment.Tell(Trained(w1), t1.Ref);
        t1.ExpectMsg(new ResultAcknowledged(w1.Key));
        // The acknowledgement is sent from the persist callback: by now the event is in the journal.
        Assert.Equal(1, Journal.Count(Pid, "nas.experiment.slice-completed.v1"));

        // A re-sent copy (the trainer did not see the first acknowledgement) is acknowledged without a new event.
        experiment.Tell(Trained(w1), t1.Ref);
        t1.ExpectMsg(new ResultAcknowledged(w1.Key));
        // So is a stale merge of a round that is not the current one.
        experiment.Tell(new SlicesMerged("merge/7", 7, "m7"), t1.Ref);
        t1.ExpectMsg(new ResultAcknowledged("merge/7"));

        var status = Status(experiment);
        Assert.Equal((0, 2 * 32L), (status.RoundsDone, status.ImagesTrained));
        Assert.Equal(1, Journal.Count(Pid, "nas.experiment.slice-completed.v1"));
        Assert.Equal(0, Journal.Count(Pid, "nas.experiment.round-completed.v1"));
        t2.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // an acknowledgement goes to the sender only
    }

    [Fact]
    public void ExperimentActor_must_acknowledge_a_validation_score_once_the_population_records_it()
    {
        var experiment = Start(Config());
        var t = Trainer(experiment, "t");
        var ckpt = TrainAllRounds(t, experiment, 1);
        _population.ExpectMsg<P.GetRollouts>();
        var r0 = R(0, "a", "b", "c", "a");
        _population.Reply(new P.RolloutsResult(0, [r0], false, [], 0));
        var w = t.ExpectMsg<ScoreRollout>();
        Assert.Equal((r0.Id, ckpt), (w.Rollout.Id, w.Checkpoint));

        var m = FakeBackendFactory.ScoreOf(r0.Architecture, EvalSplit.Validation);
        experiment.Tell(new RolloutScored(w.Key, r0.Id, EvalSplit.Validation, m), t.Ref);
        Assert.Equal(new P.RecordScore(r0.Id, m), _population.ExpectMsg<P.RecordScore>());
        // The experiment journals nothing for a validation score: it is safe only once the population has it.
        t.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        _population.Reply(new P.ScoreRecordedResult(r0.Id, false, true, false, 0, 1, new ScoredRollout(r0, m)));
        t.ExpectMsg(new ResultAcknowledged(w.Key));
        _population.ExpectMsg<P.GetRollouts>(); // the generation is complete
    }

    [Fact]
    public void ExperimentActor_must_refuse_a_trainer_of_another_protocol_version()
    {
        var experiment = Start(Config());
        var old = CreateTestProbe("old");
        EventFilter.Warning(contains: "refused trainer").ExpectOne(() =>
            experiment.Tell(new RegisterTrainer(old.Ref, "cuda:3", "0011223344556677", NasProtocol.Current + 1), old.Ref));
        var refused = old.ExpectMsg<RegistrationRefused>();
        Assert.Contains($"protocol version {NasProtocol.Current + 1}", refused.Reason);
        Assert.Contains($"speaks {NasProtocol.Current}", refused.Reason);

        // Work is queued (round 0), yet the refused trainer is not a trainer: asking gets it nothing but RegisterAgain.
        var before = Status(experiment);
        Assert.Equal((Phase.Supernet, 0, 0), (before.Phase, before.Trainers, before.InFlight));
        experiment.Tell(new RequestWork(old.Ref), old.Ref);
        old.ExpectMsg<RegisterAgain>();
        var good = Trainer(experiment, "good");
        good.ExpectMsg<TrainSlice>();
        old.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, Status(experiment).Trainers);
    }

    [Fact]
    public void ExperimentActor_must_refuse_a_trainer_built_for_another_search_space()
    {
        var experiment = Start(Config(spaceHash: "0011223344556677"));
        var other = CreateTestProbe("other");
        EventFilter.Warning(contains: "refused trainer").ExpectOne(() =>
            experiment.Tell(new RegisterTrainer(other.Ref, "cpu", "ffffeeeeddddcccc"), other.Ref));
        var refused = other.ExpectMsg<RegistrationRefused>();
        Assert.Contains("search space ffffeeeedddd", refused.Reason);
        Assert.Contains($"'{Name}' searches 001122334455", refused.Reason);
        Assert.Equal(0, Status(experiment).Trainers);

        // The same space (stated) is accepted and gets the queued work; the refused one never does.
        var same = CreateTestProbe("same");
        experiment.Tell(new RegisterTrainer(same.Ref, "cpu", "0011223344556677"), same.Ref);
        same.ExpectMsg<TrainSlice>();
        other.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void ExperimentActor_must_answer_RequestWork_from_an_unknown_trainer_with_RegisterAgain()
    {
        var experiment = Start(Config());
        var stranger = CreateTestProbe("stranger");
        experiment.Tell(new RequestWork(stranger.Ref), stranger.Ref);
        stranger.ExpectMsg<RegisterAgain>();
        var before = Status(experiment);
        Assert.Equal((0, 0), (before.Trainers, before.InFlight)); // asking does not register

        experiment.Tell(new RegisterTrainer(stranger.Ref, "cpu"), stranger.Ref);
        stranger.ExpectMsg<TrainSlice>();
        Assert.Equal(1, Status(experiment).Trainers);
    }

    [Fact]
    public void ExperimentActor_must_not_hand_work_to_a_trainer_that_registers_holding_work()
    {
        var experiment = Start(Config());
        var busy = CreateTestProbe("busy");
        experiment.Tell(new RegisterTrainer(busy.Ref, "cpu", Holding: "slice/0/0"), busy.Ref);

        // Registered (and watched), but not idle: the queued round-0 slice stays queued.
        var status = Status(experiment);
        Assert.Equal((1, 0), (status.Trainers, status.InFlight));

        // Once it asks, it gets work.
        experiment.Tell(new RequestWork(busy.Ref), busy.Ref);
        Assert.Equal(0, busy.ExpectMsg<TrainSlice>().Slice.Round);
        Assert.Equal(1, Status(experiment).InFlight);
    }

    [Fact]
    public void ExperimentActor_must_accept_a_checkpoint_name_shorter_than_its_progress_line_shows()
    {
        var experiment = Start(Config(stepsPerSlot: 4, stepsPerRound: 2));
        var t = Trainer(experiment, "t");
        var w0 = t.ExpectMsg<TrainSlice>();
        Reply(t, experiment, Trained(w0, "short"));
        var w1 = t.ExpectMsg<TrainSlice>();
        Assert.Equal((1, "short"), (w1.Slice.Round, w1.Slice.FromCheckpoint));
    }
}
