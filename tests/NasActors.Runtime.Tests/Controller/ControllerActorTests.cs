using System.Collections.Immutable;
using Akka.Actor;
using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.Strategies;
using NasActors.Core.Training;
using NasActors.Runtime.Controller;
using NasActors.Runtime.Tests.Support;
using Xunit.Abstractions;
using static NasActors.Runtime.Controller.ControllerProtocol;
using P = NasActors.Runtime.Population.PopulationProtocol;

namespace NasActors.Runtime.Tests.Controller;

public sealed class ControllerActorTests(ITestOutputHelper output) : SqliteTestKit(output)
{
    private const string Name = "ctl";
    private static readonly string Pid = ControllerProtocol.PersistenceId(Name);
    private static readonly ReinforceSettings Reinforce = new(Epochs: 2, StepsPerEpoch: 2, SamplesPerUpdate: 3, BaselineDecay: 0.9, DeriveSamples: 4);

    private IActorRef Start(FakePolicyFactory policies, int snapshotEvery = 1000, ActorSystem? system = null, long seed = 5, string name = Name) =>
        (system ?? Sys).ActorOf(ControllerProtocol.Props(new ControllerProtocol.Settings(name, snapshotEvery, Reinforce, seed), policies));

    private static FakePolicyFactory Policies() => new(Spaces.Tiny());

    private SamplesResult Samples(IActorRef c, int epoch)
    {
        c.Tell(new GetSamples(epoch), TestActor);
        return ExpectMsg<SamplesResult>();
    }

    private P.ScoreRecordedResult Reward(IActorRef c, Rollout r)
    {
        c.Tell(new P.RecordScore(r.Id, FakeBackendFactory.RewardOf(r.Architecture, r.Id.Value)), TestActor);
        return ExpectMsg<P.ScoreRecordedResult>(x => x.Id == r.Id);
    }

    /// <summary>Rewards a whole batch; returns the last acknowledgement.</summary>
    private P.ScoreRecordedResult RewardAll(IActorRef c, SamplesResult s)
    {
        P.ScoreRecordedResult? last = null;
        foreach (var r in s.Unrewarded) last = Reward(c, r);
        return last!;
    }

    [Fact]
    public void Controller_must_create_its_initial_policy_once_and_hand_it_out()
    {
        var policies = Policies();
        var c = Start(policies);
        c.Tell(GetPolicy.Instance, TestActor);
        var p = ExpectMsg<PolicyResult>();
        Assert.Equal(0, p.Step);
        Assert.Equal(1, policies.Count("init"));
        Assert.Equal(1, Journal.Count(Pid, "nas.controller.policy-initialized.v1"));

        StopAndWait(c);
        var again = Start(policies);
        again.Tell(GetPolicy.Instance, TestActor);
        Assert.Equal(p, ExpectMsg<PolicyResult>());
        Assert.Equal(1, policies.Count("init")); // recovered, not re-created
    }

    [Fact]
    public void Controller_must_record_each_reward_once_and_learn_after_a_complete_batch()
    {
        var policies = Policies();
        var c = Start(policies);
        var s = Samples(c, 0);
        Assert.Equal(3, s.Unrewarded.Length);
        Assert.Equal(0, s.Step);
        Assert.False(s.EpochDone);
        Assert.Null(s.Last);
        Assert.Equal(s.Unrewarded.ToList(), Samples(c, 0).Unrewarded.ToList()); // the open batch, not a new one

        var first = Reward(c, s.Unrewarded[0]);
        Assert.False(first.Duplicate);
        Assert.False(first.GenerationComplete);
        Assert.True(Reward(c, s.Unrewarded[0]).Duplicate);
        c.Tell(new P.RecordScore(new RolloutId(999), new Metrics(1, 0, 0, 0)), TestActor);
        Assert.True(ExpectMsg<P.ScoreRecordedResult>().Duplicate); // unknown id: late result of nothing

        Assert.Equal(2, Samples(c, 0).Unrewarded.Length);
        Reward(c, s.Unrewarded[1]);
        Assert.True(Reward(c, s.Unrewarded[2]).GenerationComplete);

        var next = Samples(c, 0); // answered once the update is journaled
        Assert.Equal(1, next.Step);
        Assert.NotEqual(s.Policy, next.Policy);
        Assert.NotNull(next.Last);
        Assert.Equal(3, next.Unrewarded.Length);
        Assert.Equal(3, next.Unrewarded[0].Id.Value); // ids continue

        // REINFORCE inputs: advantages against the first batch's mean (no baseline yet), baseline then moves.
        var (samples, advantages, meta) = Assert.Single(policies.Updates);
        var rewards = s.Unrewarded.Select(r => FakeBackendFactory.RewardOf(r.Architecture, r.Id.Value).Accuracy).ToArray();
        Assert.Equal(s.Unrewarded.Select(r => r.Architecture), samples);
        Assert.Equal(rewards.Select(r => r - rewards.Average()), advantages);
        Assert.Equal(1, meta.Step);
        Assert.Equal(rewards.Average(), meta.Baseline, 12);
        Assert.Equal(rewards.Average(), next.Baseline!.Value, 12);
        Assert.Equal(1, Journal.Count(Pid, "nas.controller.policy-updated.v1"));
        Assert.Equal(3, Journal.Count(Pid, "nas.controller.reward-recorded.v1"));
    }

    [Fact]
    public void Controller_must_say_when_an_epoch_of_updates_is_done()
    {
        var c = Start(Policies());
        for (var step = 0; step < Reinforce.StepsPerEpoch; step++)
            RewardAll(c, Samples(c, 0));
        var done = Samples(c, 0);
        Assert.True(done.EpochDone);
        Assert.Empty(done.Unrewarded);
        Assert.Equal(2, done.Step);

        var epoch1 = Samples(c, 1); // the next epoch samples again
        Assert.False(epoch1.EpochDone);
        Assert.Equal(3, epoch1.Unrewarded.Length);
    }

    [Fact]
    public void Controller_must_resume_with_the_same_batches_and_policy_as_an_uninterrupted_run()
    {
        // Uninterrupted: a separate controller (own persistence id) with the same seed.
        var straight = Start(Policies(), name: "straight");
        var expected = new List<SamplesResult>();
        for (var i = 0; i < 3; i++)
        {
            var s = Samples(straight, i / 2);
            if (s.EpochDone) s = Samples(straight, i / 2 + 1);
            expected.Add(s);
            RewardAll(straight, s);
        }

        // Interrupted after one reward of the second batch, with snapshots every 2 events.
        var policies = Policies();
        var c = Start(policies, snapshotEvery: 2);
        var b0 = Samples(c, 0);
        RewardAll(c, b0);
        var b1 = Samples(c, 0);
        Reward(c, b1.Unrewarded[0]);
        AwaitCondition(() => Journal.Snapshots(Pid).Count > 0); // snapshots are written asynchronously
        StopAndWait(c);

        var resumed = Start(policies, snapshotEvery: 2);
        var open = Samples(resumed, 0);
        Assert.Equal(b1.Unrewarded.Skip(1), open.Unrewarded); // the same open batch, minus what was rewarded
        Assert.Equal(b1.Policy, open.Policy);
        foreach (var r in open.Unrewarded) Reward(resumed, r);
        Assert.True(Samples(resumed, 0).EpochDone);
        var b2 = Samples(resumed, 1);

        Assert.Equal(expected.Select(e => e.Unrewarded.Select(r => (r.Id, r.Architecture))), new[] { b0, b1, b2 }.Select(e => e.Unrewarded.Select(r => (r.Id, r.Architecture))));
        Assert.Equal(expected[2].Policy, b2.Policy);
        Assert.Equal(expected[2].Baseline, b2.Baseline);
    }

    [Fact]
    public void Controller_must_learn_from_a_batch_completed_just_before_it_stopped()
    {
        var policies = Policies();
        var gate = new ManualResetEventSlim(false);
        policies.Hook = op => { if (op == "update") gate.Wait(TimeSpan.FromSeconds(20)); };
        var c = Start(policies);
        var s = Samples(c, 0);
        RewardAll(c, s); // the update now hangs: nothing journaled yet
        Assert.Equal(0, Journal.Count(Pid, "nas.controller.policy-updated.v1"));
        var watcher = CreateTestProbe();
        watcher.Watch(c);
        // A PoisonPill is queued before the update's result (which can only come after the gate opens), so the
        // actor stops without journaling the update; Sys.Stop would go through the guardian and could lose that race.
        c.Tell(PoisonPill.Instance);
        gate.Set();
        watcher.ExpectTerminated(c);

        var fresh = Policies();
        var resumed = Start(fresh);
        var next = Samples(resumed, 0);
        Assert.Equal(1, next.Step);
        Assert.Equal(1, fresh.Count("update"));
        Assert.Equal(FakePolicyFactory.UpdateHash(s.Policy, [.. s.Unrewarded.Select(r => r.Architecture)],
            Assert.Single(fresh.Updates).Advantages, new PolicyMeta(1, Assert.Single(fresh.Updates).Meta.Baseline, Assert.Single(fresh.Updates).Meta.Rng)), next.Policy);
    }

    [Fact]
    public void Controller_must_derive_score_and_rank_its_final_samples()
    {
        var c = Start(Policies());
        for (var epoch = 0; epoch < Reinforce.Epochs; epoch++)
            while (Samples(c, epoch) is { EpochDone: false } s) RewardAll(c, s);

        c.Tell(P.GetRollouts.Instance, TestActor);
        var derive = ExpectMsg<P.RolloutsResult>();
        Assert.Equal(Reinforce.DeriveSamples, derive.Unscored.Length);
        Assert.False(derive.Finished);
        Assert.All(derive.Unscored, r => Assert.StartsWith("derive", r.Origin));
        var scores = derive.Unscored.ToDictionary(r => r.Id, r => FakeBackendFactory.ScoreOf(r.Architecture, EvalSplit.Validation));
        P.ScoreRecordedResult? last = null;
        foreach (var r in derive.Unscored)
        {
            c.Tell(new P.RecordScore(r.Id, scores[r.Id]), TestActor);
            last = ExpectMsg<P.ScoreRecordedResult>();
        }
        Assert.True(last!.Finished);

        c.Tell(P.GetRollouts.Instance, TestActor);
        var final = ExpectMsg<P.RolloutsResult>();
        Assert.True(final.Finished);
        Assert.Equal(scores.Values.Select(m => m.Accuracy).OrderDescending(), final.Top.Select(t => t.Metrics.Accuracy));
        c.Tell(new P.GetRanking(2), TestActor);
        var ranking = ExpectMsg<P.RankingResult>();
        Assert.Equal("enas", ranking.Strategy);
        Assert.Equal(Reinforce.DeriveSamples, ranking.Scored);
        Assert.Equal(final.Top.Take(2), ranking.Top);
    }

    [Fact]
    public void Controller_must_answer_ControllerFailed_when_its_policy_fails()
    {
        var policies = Policies();
        policies.Hook = op => { if (op == "sample") throw new NasUserException("policy checkpoint abc is corrupt"); };
        var c = Start(policies);
        c.Tell(new GetSamples(0), TestActor);
        var failed = ExpectMsg<ControllerFailed>();
        Assert.True(failed.UserError);
        Assert.Contains("corrupt", failed.Reason);
        c.Tell(GetPolicy.Instance, TestActor);
        Assert.Equal(failed, ExpectMsg<ControllerFailed>()); // and keeps saying so
    }

    [Fact]
    public void Controller_must_run_policy_work_off_the_actor_thread()
    {
        var policies = Policies();
        var c = Start(policies);
        RewardAll(c, Samples(c, 0));
        Samples(c, 0);
        var threads = policies.Calls.Where(x => x.Op is "init" or "sample" or "update").Select(x => x.ThreadName).Distinct().ToList();
        Assert.Equal(["controller-" + Name], threads);
    }
}
