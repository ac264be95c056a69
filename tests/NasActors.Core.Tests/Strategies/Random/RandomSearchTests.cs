using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies.Random;
using NasActors.Core.Strategies;
using NasActors.Core.Tests.Strategies.Spos;
using NasActors.Core.Tests.Support;

namespace NasActors.Core.Tests.Strategies.Random;

public class RandomSearchTests
{
    [Fact]
    public void RandomSearch_must_be_named_random()
    {
        Assert.Equal("random", new RandomSearch(SposEvolutionTests.Spos16(), Constraints.None, 1, 3, 4).Name);
    }

    [Fact]
    public void RandomSearch_must_propose_full_batches_of_random_samples_for_each_generation()
    {
        var s = new RandomSearch(SposEvolutionTests.Spos16(), Constraints.None, 5, generations: 4, batchSize: 7, topK: 3);
        var run = SearchDriver.Run(s, r => SearchDriver.HashScore(r));
        Assert.Equal([0, 1, 2, 3], run.Proposals.Select(p => p.Generation));
        Assert.All(run.Proposals, p => Assert.Equal(7, p.Rollouts.Length));
        Assert.All(run.AllRollouts, r => Assert.Equal($"gen {r.Generation} random", r.Origin));
        Assert.True(run.Final.Finished);
        Assert.Equal(28, run.Final.Scores.Count);
        Assert.Equal(3, run.Final.Parents.Length);
        Assert.Equal(run.Final.Ranked.Take(3), run.Final.Parents.AsEnumerable());
    }

    [Fact]
    public void RandomSearch_must_enumerate_a_small_space_exactly_once_then_finish()
    {
        var space = SearchSpace.Create("five", [Choice.Layer("op", "a", "b", "c", "d", "e")]);
        var s = new RandomSearch(space, Constraints.None, 9, generations: 10, batchSize: 2);
        var run = SearchDriver.Run(s, r => SearchDriver.HashScore(r));
        Assert.Equal([2, 2, 1, 0], run.Proposals.Select(p => p.Rollouts.Length));
        Assert.Equal(["a", "b", "c", "d", "e"], run.AllRollouts.Select(r => r.Architecture["op"]).Order());
        Assert.True(run.Final.Finished);
        Assert.Null(s.Propose(run.Final));
    }

    [Fact]
    public void RandomSearch_must_sample_architectures_roughly_uniformly()
    {
        var space = SearchSpace.Create("s", [Choice.Layer("op", "a", "b", "c", "d"), Choice.Input("in", 4, 2), Choice.Value("w", "8", "16")]); // 48
        var counts = new Dictionary<string, int>();
        for (var seed = 0; seed < 400; seed++)
        {
            var s = new RandomSearch(space, Constraints.None, seed, generations: 1, batchSize: 1);
            var a = s.Propose(s.Initial())!.Rollouts.Single().Architecture["op"];
            counts[a] = counts.GetValueOrDefault(a) + 1;
        }
        Assert.Equal(4, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 60, 140));
    }

    [Fact]
    public void RandomSearch_must_never_propose_an_architecture_over_the_flops_limit()
    {
        var space = SearchSpace.Create("s", [Choice.Layer("b0", "small", "big"), Choice.Layer("b1", "small", "big", "huge")]);
        var costs = Experiments.CostTableTests.Table();
        // Admissible: FLOPs ≤ 1070 → (small,small) 1030, (small,big) 1070, (big,small) 1070.
        var s = new RandomSearch(space, new Constraints(costs, 1070, null), 3, generations: 5, batchSize: 2);
        var run = SearchDriver.Run(s, r => SearchDriver.HashScore(r));
        Assert.Equal(["b0=big;b1=small", "b0=small;b1=big", "b0=small;b1=small"], run.AllRollouts.Select(r => r.Architecture.CanonicalKey).Order());
        Assert.Equal([2, 1, 0], run.Proposals.Select(p => p.Rollouts.Length));
    }

    [Fact]
    public void RandomSearch_must_draw_each_generation_from_where_the_previous_left_off()
    {
        var space = SposEvolutionTests.Spos16();
        var s = new RandomSearch(space, Constraints.None, 21, generations: 3, batchSize: 5);
        var run = SearchDriver.Run(s, r => SearchDriver.HashScore(r));
        // One uninterrupted stream of uniform samples from the seed (4^16 architectures: no collisions to skip).
        var rng = Xoshiro256.FromSeed(21);
        for (var g = 0; g < 3; g++)
        {
            var expected = Enumerable.Range(0, 5).Select(_ => space.Sample(rng)).ToList();
            Assert.Equal(expected, run.Proposals[g].Rollouts.Select(r => r.Architecture));
            Assert.Equal(rng.State, run.Proposals[g].RngAfter);
        }
    }
}
