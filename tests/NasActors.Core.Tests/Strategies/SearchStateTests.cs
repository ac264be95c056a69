using System.Collections.Immutable;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies;

namespace NasActors.Core.Tests.Strategies;

public class SearchStateTests
{
    private static Rollout R(int id, string op) => new(new RolloutId(id), new Architecture([KeyValuePair.Create("op", op)]), 0, "test");

    [Fact]
    public void SearchState_Initial_must_hold_the_seeded_rng_and_nothing_else()
    {
        var s = SearchState.Initial(99);
        Assert.Equal((-1, 0, false), (s.Generation, s.NextRolloutId, s.Finished));
        Assert.Equal(Xoshiro256.StateFromSeed(99), s.Rng);
        Assert.True(s.Pending.IsEmpty && s.Scores.IsEmpty && s.Parents.IsEmpty && s.Visited.IsEmpty);
        Assert.True(s.GenerationComplete);
        Assert.Empty(s.Unscored);
        Assert.Empty(s.Ranked);
    }

    [Fact]
    public void SearchState_must_list_unscored_rollouts_and_know_when_the_generation_is_complete()
    {
        var a = R(0, "a"); var b = R(1, "b"); var c = R(2, "c");
        var s = SearchState.Initial(1) with { Pending = [a, b, c] };
        Assert.False(s.GenerationComplete);
        s = s with { Scores = s.Scores.Add(b.Id, new ScoredRollout(b, new Metrics(0.5, 0.5, 0, 0))) };
        Assert.Equal([a, c], s.Unscored);
        Assert.False(s.GenerationComplete);
        s = s with
        {
            Scores = s.Scores.Add(a.Id, new ScoredRollout(a, new Metrics(0.7, 0.5, 0, 0))).Add(c.Id, new ScoredRollout(c, new Metrics(0.7, 0.4, 0, 0))),
        };
        Assert.True(s.GenerationComplete);
        Assert.Empty(s.Unscored);
        Assert.Equal([2, 0, 1], s.Ranked.Select(x => x.Rollout.Id.Value));
    }

    [Fact]
    public void SearchState_Visited_must_compare_canonical_keys_ordinally()
    {
        var s = SearchState.Initial(1);
        var v = s.Visited.Add("op=Conv");
        Assert.Contains("op=Conv", v);
        Assert.DoesNotContain("op=conv", v);
    }
}
