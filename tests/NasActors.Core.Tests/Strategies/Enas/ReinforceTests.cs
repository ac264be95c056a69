using System.Collections.Immutable;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies.Enas;
using NasActors.Core.Strategies;

namespace NasActors.Core.Tests.Strategies.Enas;

public class ReinforceTests
{
    private static readonly SearchSpace Space = SearchSpace.Create("t", [Choice.Layer("a", "x", "y"), Choice.Input("b", 3)]);

    private static ReinforceState Open(int n, bool derive = false, ReinforceState? from = null)
    {
        var s = from ?? Reinforce.Initialized(ReinforceState.Initial(1), "p0");
        var rng = new Xoshiro256(s.Rng);
        var archs = Enumerable.Range(0, n).Select(_ => Space.Sample(rng)).ToImmutableArray();
        return Reinforce.Sampled(s, Reinforce.ToRollouts(s, archs, derive), rng.State, derive);
    }

    private static Metrics M(double acc) => new(acc, 1 - acc, 0, 0);

    [Fact]
    public void Reinforce_must_number_rollouts_on_from_the_last_and_advance_the_rng()
    {
        var s0 = Reinforce.Initialized(ReinforceState.Initial(1), "p0");
        var s1 = Open(3, from: s0);
        Assert.Equal([0, 1, 2], s1.Pending.Select(r => r.Id.Value));
        Assert.NotEqual(s0.Rng, s1.Rng);
        Assert.Equal(3, s1.NextRolloutId);
        Assert.Throws<InvalidOperationException>(() => Open(1, from: s1)); // batch still open
    }

    [Fact]
    public void Reinforce_must_record_a_reward_once_and_ignore_unknown_ids()
    {
        var s = Open(2);
        var r0 = s.Pending[0].Id;
        s = Reinforce.Rewarded(s, r0, M(0.5));
        Assert.Same(s, Reinforce.Rewarded(s, r0, M(0.9)));
        Assert.Same(s, Reinforce.Rewarded(s, new RolloutId(77), M(0.9)));
        Assert.False(s.BatchComplete);
        Assert.False(Reinforce.IsKnown(s, r0));
        Assert.True(Reinforce.IsKnown(s, s.Pending[1].Id));
        s = Reinforce.Rewarded(s, s.Pending[1].Id, M(0.7));
        Assert.True(s.BatchComplete);
        Assert.False(s.Finished);
    }

    [Fact]
    public void Reinforce_must_move_the_baseline_by_every_sample_before_taking_its_advantage()
    {
        var s = Open(2);
        s = Reinforce.Rewarded(Reinforce.Rewarded(s, s.Pending[0].Id, M(0.4)), s.Pending[1].Id, M(0.8));
        var (_, adv, b1, mean) = Reinforce.Advantages(s, 0.9);
        Assert.Equal(0.6, mean, 12);
        // First batch: the baseline starts at its mean (0.6), then each reward moves it before its advantage is taken.
        Assert.Equal([-0.18, 0.198], adv.Select(a => Math.Round(a, 12)));
        Assert.Equal(0.602, b1, 12);
        s = Reinforce.Updated(s, 1, "p1", b1, new ReinforceStats(mean, 0, 1, 0));
        Assert.Empty(s.Pending);
        Assert.Equal("p1", s.Policy);

        s = Open(2, from: s);
        s = Reinforce.Rewarded(Reinforce.Rewarded(s, s.Pending[0].Id, M(1.0)), s.Pending[1].Id, M(1.0));
        var (_, adv2, b2, _) = Reinforce.Advantages(s, 0.9);
        // Per sample, not once per batch: two samples move it by 1 - 0.9^2 of the gap, not 1 - 0.9.
        Assert.Equal(0.81 * 0.602 + 0.19 * 1.0, b2, 12);
        Assert.Equal(Math.Round(1.0 - (0.9 * 0.602 + 0.1), 12), Math.Round(adv2[0], 12));
        Assert.Equal(Math.Round(1.0 - b2, 12), Math.Round(adv2[1], 12));
        Assert.True(adv2[1] < adv2[0], "a second equal reward meets a higher baseline");
    }

    [Fact]
    public void Reinforce_must_finish_when_the_derive_batch_is_scored_and_rank_it()
    {
        var s = Open(3, derive: true);
        Assert.Throws<InvalidOperationException>(() => Reinforce.Advantages(s, 0.9));
        var accs = new[] { 0.3, 0.9, 0.6 };
        for (var i = 0; i < 3; i++) s = Reinforce.Rewarded(s, s.Pending[i].Id, M(accs[i]));
        Assert.True(s.Finished);
        Assert.Equal([0.9, 0.6, 0.3], s.Ranked.Select(r => r.Metrics.Accuracy));
        Assert.All(s.Ranked, r => Assert.StartsWith("derive", r.Rollout.Origin));
    }
}
