using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.Randomness;
using NasActors.Core.Strategies.Enas;
using NasActors.Core.Training;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Serialization;
using NasActors.Runtime.Tests.Support;
using NasActors.Runtime.Trainers;
using Xunit.Abstractions;
using static NasActors.Runtime.Experiment.ExperimentProtocol;

namespace NasActors.Runtime.Tests.Trainers;

public sealed class TrainerActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config TestConfig = ConfigurationFactory.ParseString("akka.test.single-expect-default = 10s")
        .WithFallback(AkkaConfig.Quiet).WithFallback(AkkaConfig.Serialization);

    private readonly FakeBackendFactory _factory = new(Spaces.Tiny());
    private readonly TestProbe _experiment;
    private readonly SemaphoreSlim _gate = new(0);

    public TrainerActorTests(ITestOutputHelper output) : base(TestConfig, "trainer", output) => _experiment = CreateTestProbe("experiment");

    private IActorRef Start(string device = "cpu") => Start(new TrainerProtocol.Settings(device));

    private IActorRef Start(TrainerProtocol.Settings settings, ITrainerBackendFactory? factory = null)
    {
        var trainer = Sys.ActorOf(TrainerProtocol.Props(settings, factory ?? _factory, _experiment.Ref));
        var reg = _experiment.ExpectMsg<RegisterTrainer>();
        Assert.Equal(new RegisterTrainer(trainer, settings.Device, settings.SpaceHash, NasProtocol.Current, null), reg);
        return trainer;
    }

    private static readonly SupernetSlice Slice = new(2, 1, 2, "0123456789abcdef", 100, 50);
    private static readonly Rollout Rollout = new(new RolloutId(5), Spaces.Arch("a", "b", "c", "a"), 1, "gen 1 random");

    private void ExpectRequestWork(IActorRef trainer) => Assert.Equal(trainer, _experiment.ExpectMsg<RequestWork>().Trainer);

    [Fact]
    public void TrainerActor_must_report_a_trained_slice_and_its_progress_then_ask_for_work()
    {
        var trainer = Start();
        trainer.Tell(new TrainSlice(Slice), _experiment.Ref);

        var p1 = _experiment.ExpectMsg<TrainerProgressed>();
        var p2 = _experiment.ExpectMsg<TrainerProgressed>();
        Assert.Equal(("cpu", 100L, 149L), (p1.Device, p1.Progress.Step, p2.Progress.Step));
        var done = _experiment.ExpectMsg<SliceTrained>();
        Assert.Equal("slice/2/1", done.Key);
        Assert.Equal(Slice, done.Slice);
        Assert.Equal(FakeBackendFactory.SliceCheckpoint(Slice), done.Result.Checkpoint);
        Assert.Equal(50 * 32, done.Result.Images);
        ExpectRequestWork(trainer);
    }

    [Fact]
    public void TrainerActor_must_merge_and_score_then_ask_for_work_after_each()
    {
        var trainer = Start();
        trainer.Tell(new MergeSlices(3, ["c0", "c1"]));
        var merged = _experiment.ExpectMsg<SlicesMerged>();
        Assert.Equal(new SlicesMerged("merge/3", 3, FakeBackendFactory.MergeCheckpoint(["c0", "c1"])), merged);
        ExpectRequestWork(trainer);

        trainer.Tell(new ScoreRollout(Rollout, "ck", EvalSplit.Test));
        var scored = _experiment.ExpectMsg<RolloutScored>();
        Assert.Equal(new RolloutScored("test/r5", Rollout.Id, EvalSplit.Test, FakeBackendFactory.ScoreOf(Rollout.Architecture, EvalSplit.Test)), scored);
        ExpectRequestWork(trainer);
        Assert.Equal(1, _factory.Count("create")); // one backend for the trainer's lifetime
    }

    [Fact]
    public void TrainerActor_must_stay_responsive_while_its_backend_works()
    {
        _factory.Hook = (op, ct) => { if (op == "train") _gate.Wait(ct); };
        var trainer = Start();
        trainer.Tell(new TrainSlice(Slice));

        // The backend is blocked inside TrainSlice, yet the actor forwards progress and answers messages.
        Assert.Equal(100L, _experiment.ExpectMsg<TrainerProgressed>().Progress.Step);
        trainer.Tell(new Identify("ping"), TestActor);
        Assert.Equal("ping", ExpectMsg<ActorIdentity>().MessageId);

        // Work offered while busy is refused, not queued behind the running job.
        trainer.Tell(new ScoreRollout(Rollout, "ck", EvalSplit.Validation));
        _experiment.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        _gate.Release();
        _experiment.ExpectMsg<TrainerProgressed>();
        _experiment.ExpectMsg<SliceTrained>();
        ExpectRequestWork(trainer);
        _experiment.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, _factory.Count("score"));
    }

    [Fact]
    public void TrainerActor_must_report_a_NasUserException_as_a_user_error()
    {
        _factory.Hook = (op, _) => { if (op == "score") throw new NasUserException("checkpoint ck is corrupt; restore the store from a backup"); };
        var trainer = Start();
        trainer.Tell(new ScoreRollout(Rollout, "ck", EvalSplit.Validation));

        var failed = _experiment.ExpectMsg<WorkFailed>();
        Assert.Equal(new WorkFailed("score/r5", "cpu", "checkpoint ck is corrupt; restore the store from a backup", true), failed);
        _experiment.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void TrainerActor_must_report_a_device_the_build_cannot_use_as_a_user_error()
    {
        _factory.Hook = (op, _) => { if (op == "create") throw new NasUserException("cuda:0 needs the CUDA build; use cpu"); };
        var trainer = Start("cuda:0");
        trainer.Tell(new TrainSlice(Slice));

        var failed = _experiment.FishForMessage<WorkFailed>(_ => true);
        Assert.Equal(("cuda:0", true), (failed.Device, failed.UserError));
        Assert.Contains("CUDA build", failed.Reason);
    }

    [Fact]
    public void TrainerActor_must_report_an_unexpected_exception_as_a_non_user_error()
    {
        _factory.Hook = (op, _) => { if (op == "merge") throw new InvalidOperationException("out of memory"); };
        var trainer = Start();
        trainer.Tell(new MergeSlices(0, ["a", "b"]));

        var failed = _experiment.ExpectMsg<WorkFailed>();
        Assert.Equal(("merge/0", false), (failed.Key, failed.UserError));
        Assert.Contains("out of memory", failed.Reason);
    }

    [Fact]
    public void TrainerActor_must_create_use_and_dispose_its_backend_on_one_dedicated_thread()
    {
        var trainer = Start();
        trainer.Tell(new TrainSlice(Slice));
        _experiment.FishForMessage<RequestWork>(_ => true);
        trainer.Tell(new MergeSlices(0, ["a", "b"]));
        _experiment.FishForMessage<RequestWork>(_ => true);
        trainer.Tell(new ScoreRollout(Rollout, "ck", EvalSplit.Validation));
        _experiment.FishForMessage<RequestWork>(_ => true);

        Watch(trainer);
        Sys.Stop(trainer);
        ExpectTerminated(trainer);

        var calls = _factory.Calls.ToList();
        Assert.Equal(["create", "train", "merge", "score", "dispose"], calls.Select(c => c.Op));
        var thread = calls[0].ThreadId;
        Assert.All(calls, c => Assert.Equal(thread, c.ThreadId));
        Assert.NotEqual(Environment.CurrentManagedThreadId, thread);
        Assert.Equal("trainer-cpu", calls[0].ThreadName);
        var backend = Assert.Single(_factory.Created);
        Assert.True(backend.Disposed);
        Assert.Equal(thread, backend.DisposeThreadId);
    }

    [Fact]
    public void TrainerActor_must_cancel_running_work_when_it_stops()
    {
        _factory.Hook = (op, ct) => { if (op == "train") _gate.Wait(ct); }; // never released: only cancellation ends it
        var trainer = Start();
        trainer.Tell(new TrainSlice(Slice));
        _experiment.ExpectMsg<TrainerProgressed>();

        Watch(trainer);
        Sys.Stop(trainer);
        ExpectTerminated(trainer, TimeSpan.FromSeconds(5)); // well before the worker's 30 s join limit

        Assert.True(Assert.Single(_factory.Created).Disposed);
        Assert.Equal(0, _factory.Calls.Count(c => c.Op == "score"));
    }

    protected override void Dispose(bool disposing)
    {
        _gate.Release(100); // never leave a worker blocked
        base.Dispose(disposing);
    }

    [Fact]
    public void TrainerActor_must_dispose_a_backend_that_was_still_being_created_when_it_stopped()
    {
        _factory.Hook = (op, _) => { if (op == "create") _gate.Wait(); }; // slow device initialisation
        var trainer = Start();
        trainer.Tell(new TrainSlice(Slice));
        AwaitCondition(() => _factory.Count("create") == 1);

        Watch(trainer);
        Sys.Stop(trainer);
        _ = Task.Delay(300).ContinueWith(_ => _gate.Release());
        ExpectTerminated(trainer);

        var backend = Assert.Single(_factory.Created);
        Assert.True(backend.Disposed, "the backend created during shutdown was never disposed");
    }

    // ---- work items run themselves, asking the backend for what they need ----

    [Fact]
    public void TrainerActor_must_run_a_strategys_own_kind_of_work_on_a_backend_with_its_capability()
    {
        var toy = new ToyBackendFactory(Spaces.Tiny());
        var trainer = Start(new TrainerProtocol.Settings("cpu"), toy);
        var work = new ToyWork(3, "0-123456");
        trainer.Tell(work);

        Assert.Equal(ToyPlan.Done(work), _experiment.ExpectMsg<ToyDone>());
        ExpectRequestWork(trainer);
        Assert.Equal(["0-123456"], toy.Computed);
    }

    [Fact]
    public void TrainerActor_must_run_the_ENAS_policy_work_on_the_backends_policy()
    {
        var trainer = Start();
        var meta = new PolicyMeta(0, 0, Xoshiro256.StateFromSeed(5));
        trainer.Tell(new InitPolicy(meta));
        var created = _experiment.ExpectMsg<PolicyCreated>();
        Assert.Equal(("policy/init", FakeBackendFactory.Hash("policy-init|" + meta.Rng)), (created.Key, created.Policy));
        ExpectRequestWork(trainer);

        trainer.Tell(new SamplePolicy(created.Policy, 3, meta.Rng, 0, Derive: false));
        var sampled = _experiment.ExpectMsg<PolicySampled>();
        var rng = new Xoshiro256(meta.Rng);
        var space = Spaces.Tiny();
        Assert.Equal(Enumerable.Range(0, 3).Select(_ => space.Sample(rng)), sampled.Architectures);
        Assert.Equal(rng.State, sampled.RngAfter);
        Assert.Equal(("policy/sample/0", 0L, false), (sampled.Key, sampled.Step, sampled.Derive));
        ExpectRequestWork(trainer);
        Assert.Equal(["create", "init", "sample"], _factory.Policies!.Calls.Select(c => c.Op)); // one policy for the backend's lifetime
        Assert.Equal("trainer-cpu", _factory.Policies.Calls.Select(c => c.ThreadName).Distinct().Single()); // on the trainer's own thread
    }

    [Theory]
    [InlineData("policy")]
    [InlineData("toy")]
    public void TrainerActor_must_refuse_work_its_backend_has_no_capability_for_as_a_user_error(string kind)
    {
        var trainer = Start(new TrainerProtocol.Settings("cuda:2"), new FakeBackendFactory(Spaces.Tiny(), policy: false));
        WorkItem work = kind == "policy" ? new InitPolicy(new PolicyMeta(0, 0, Xoshiro256.StateFromSeed(5))) : new ToyWork(0, "0-000001");
        trainer.Tell(work);

        var failed = _experiment.ExpectMsg<WorkFailed>();
        Assert.Equal((work.Key, "cuda:2", true), (failed.Key, failed.Device, failed.UserError));
        Assert.Contains($"has no {(kind == "policy" ? nameof(IPolicyBackend) : nameof(IToyOracle))}", failed.Reason);
        Assert.Contains("cuda:2", failed.Reason);
        _experiment.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // no RequestWork after a failure: the experiment decides
    }

    // ---- results are kept until acknowledged; registration follows the experiment ----

    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(200);

    [Fact]
    public void TrainerActor_must_resend_an_unacknowledged_result_until_it_is_acknowledged()
    {
        var trainer = Start(new TrainerProtocol.Settings("cpu", RetryInterval: Retry));
        trainer.Tell(new MergeSlices(3, ["c0", "c1"]));
        var merged = _experiment.ExpectMsg<SlicesMerged>();
        ExpectRequestWork(trainer);

        // Not acknowledged: the same result comes again, every retry interval (and without another RequestWork).
        Assert.Equal(merged, _experiment.ExpectMsg<SlicesMerged>(TimeSpan.FromSeconds(3)));
        Assert.Equal(merged, _experiment.ExpectMsg<SlicesMerged>(TimeSpan.FromSeconds(3)));

        trainer.Tell(new ResultAcknowledged("merge/2")); // another key: changes nothing
        Assert.Equal(merged, _experiment.ExpectMsg<SlicesMerged>(TimeSpan.FromSeconds(3)));

        trainer.Tell(new ResultAcknowledged(merged.Key));
        // A re-send may already be on its way; once the trainer has answered this Identify, none follows.
        trainer.Tell(new Identify("after-ack"), _experiment.Ref);
        _experiment.FishForMessage<ActorIdentity>(m => m is ActorIdentity, TimeSpan.FromSeconds(3));
        _experiment.ExpectNoMsg(Retry * 3);
    }

    [Fact]
    public void TrainerActor_must_keep_each_unacknowledged_result_until_its_own_acknowledgement()
    {
        var trainer = Start(new TrainerProtocol.Settings("cpu", RetryInterval: Retry));
        trainer.Tell(new MergeSlices(3, ["c0", "c1"]));
        var merged = _experiment.ExpectMsg<SlicesMerged>();
        ExpectRequestWork(trainer);
        trainer.Tell(new ScoreRollout(Rollout, "ck", EvalSplit.Validation));
        var scored = _experiment.FishForMessage<RolloutScored>(m => m is RolloutScored, TimeSpan.FromSeconds(3));
        trainer.Tell(new ResultAcknowledged(merged.Key));
        trainer.Tell(new Identify("after-ack"), _experiment.Ref);
        _experiment.FishForMessage<ActorIdentity>(m => m is ActorIdentity, TimeSpan.FromSeconds(3));

        // Only the score is still unacknowledged.
        Assert.Equal(scored, _experiment.ExpectMsg<RolloutScored>(TimeSpan.FromSeconds(3)));
        Assert.Equal(scored, _experiment.ExpectMsg<RolloutScored>(TimeSpan.FromSeconds(3)));
        trainer.Tell(new ResultAcknowledged(scored.Key));
        trainer.Tell(new Identify("after-ack"), _experiment.Ref);
        _experiment.FishForMessage<ActorIdentity>(m => m is ActorIdentity, TimeSpan.FromSeconds(3));
        _experiment.ExpectNoMsg(Retry * 3);
    }

    [Fact]
    public void TrainerActor_must_register_again_when_told_to()
    {
        var settings = new TrainerProtocol.Settings("cuda:1", SpaceHash: "00ff00ff00ff00ff");
        var trainer = Start(settings);
        trainer.Tell(RegisterAgain.Instance);
        Assert.Equal(new RegisterTrainer(trainer, "cuda:1", "00ff00ff00ff00ff", NasProtocol.Current, null), _experiment.ExpectMsg<RegisterTrainer>());
        trainer.Tell(TrainerProtocol.Reconnect.Instance);
        Assert.Equal(new RegisterTrainer(trainer, "cuda:1", "00ff00ff00ff00ff", NasProtocol.Current, null), _experiment.ExpectMsg<RegisterTrainer>());
    }

    [Fact]
    public void TrainerActor_must_register_again_holding_the_work_it_is_running()
    {
        _factory.Hook = (op, ct) => { if (op == "train") _gate.Wait(ct); };
        var trainer = Start(new TrainerProtocol.Settings("cpu", SpaceHash: "00ff00ff00ff00ff"));
        trainer.Tell(new TrainSlice(Slice));
        _experiment.ExpectMsg<TrainerProgressed>(); // the backend is now blocked inside TrainSlice

        trainer.Tell(TrainerProtocol.Reconnect.Instance);
        var reg = _experiment.ExpectMsg<RegisterTrainer>();
        Assert.Equal(new RegisterTrainer(trainer, "cpu", "00ff00ff00ff00ff", NasProtocol.Current, "slice/2/1"), reg);
        trainer.Tell(RegisterAgain.Instance);
        Assert.Equal("slice/2/1", _experiment.ExpectMsg<RegisterTrainer>().Holding);

        // The work finishes and is reported to the (new) experiment as usual.
        _gate.Release();
        _experiment.ExpectMsg<TrainerProgressed>();
        Assert.Equal("slice/2/1", _experiment.ExpectMsg<SliceTrained>().Key);
        ExpectRequestWork(trainer);
        trainer.Tell(new ResultAcknowledged("slice/2/1")); // no re-send of it can come between
        trainer.Tell(RegisterAgain.Instance);
        Assert.Null(_experiment.ExpectMsg<RegisterTrainer>().Holding); // idle again
    }

    [Fact]
    public void TrainerActor_must_stop_when_its_registration_is_refused()
    {
        var trainer = Start();
        Watch(trainer);
        EventFilter.Error(contains: "protocol version 9").ExpectOne(TimeSpan.FromSeconds(10), () =>
            trainer.Tell(new RegistrationRefused("protocol version 9, this coordinator speaks 1")));
        ExpectTerminated(trainer);
        _experiment.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // no RequestWork, no re-registration
    }
}
