using System.Text.RegularExpressions;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies;
using NasActors.Core.Strategies.Random;
using NasActors.Core.Strategies.RegularizedEvolution;
using NasActors.Core.Tests.Strategies.Spos;
using NasActors.Core.Tests.Support;
using Xunit.Abstractions;
using RegEvo = NasActors.Core.Strategies.RegularizedEvolution.AgingEvolution;

namespace NasActors.Core.Tests.Strategies.RegularizedEvolution;

public partial class RegularizedEvolutionTests(ITestOutputHelper output)
{
    private static readonly SearchSpace Spos16 = SposEvolutionTests.Spos16();

    private static RegularizedEvolutionSettings Small(int population = 10, int sample = 3, int cycles = 23, int batch = 5, double p = 0.1, int topK = 5) =>
        new(population, sample, cycles, batch, p, topK);

    [GeneratedRegex(@"^gen (\d+) mutation of r(\d+)$")] private static partial Regex MutationOrigin();

    /// <summary>Each mutation child with the state its generation was proposed from and its parent.</summary>
    private static IEnumerable<(Rollout Child, SearchState Before, ScoredRollout Parent)> Children(SearchRun run)
    {
        for (var i = 0; i < run.Events.Count; i++)
        {
            if (run.Events[i] is not Proposed p) continue;
            var before = i == 0 ? run.Initial : run.States[i - 1];
            foreach (var r in p.Proposal.Rollouts)
                if (MutationOrigin().Match(r.Origin) is { Success: true } m)
                    yield return (r, before, before.Scores[new RolloutId(int.Parse(m.Groups[2].Value))]);
        }
    }

    /// <summary>The current population, computed independently: the last population-size scored rollouts by id.</summary>
    private static List<ScoredRollout> Window(SearchState s, int populationSize) =>
        [.. s.Scores.Values.OrderBy(x => x.Rollout.Id.Value).TakeLast(populationSize)];

    private static int Distance(Architecture a, Architecture b) => a.Choices.Count(kv => b[kv.Key] != kv.Value);

    [Fact]
    public void RegularizedEvolution_must_be_named_regularized_evolution_and_expose_its_settings()
    {
        var s = new RegEvo(Spos16, Constraints.None, Small(), 1);
        Assert.Equal("regularized-evolution", s.Name);
        Assert.Equal(Small(), s.Settings);
        Assert.Equal(1 + 5, s.Generations); // ceil(23 / 5) = 5 generations of children
    }

    [Fact]
    public void RegularizedEvolution_must_fill_generation_zero_with_population_size_random_samples()
    {
        var s = new RegEvo(Spos16, Constraints.None, Small(), 7);
        var p = s.Propose(s.Initial())!;
        Assert.Equal(0, p.Generation);
        Assert.Equal(10, p.Rollouts.Length);
        Assert.All(p.Rollouts, r => Assert.Equal("gen 0 random", r.Origin));
        // Uniform samples straight from the seed's stream.
        var rng = Xoshiro256.FromSeed(7);
        Assert.Equal(Enumerable.Range(0, 10).Select(_ => Spos16.Sample(rng)), p.Rollouts.Select(r => r.Architecture));
    }

    [Fact]
    public void RegularizedEvolution_must_make_batch_children_a_generation_and_cycles_children_in_all()
    {
        var s = new RegEvo(Spos16, Constraints.None, Small(), 2);
        var run = SearchDriver.Run(s, SearchDriver.HashScore);
        Assert.Equal([10, 5, 5, 5, 5, 3], run.Proposals.Select(p => p.Rollouts.Length));
        Assert.All(run.Proposals.Skip(1).SelectMany(p => p.Rollouts), r => Assert.Matches(MutationOrigin(), r.Origin));
        Assert.True(run.Final.Finished);
        Assert.Equal(33, run.Final.Scores.Count);
        Assert.Null(s.Propose(run.Final));
        // The result is the global top-k (the best ever found), whatever has aged out of the population.
        Assert.Equal(run.Final.Ranked.Take(5), run.Final.Parents.AsEnumerable());
    }

    [Theory]
    [InlineData(10, 3)]
    [InlineData(4, 4)]
    [InlineData(6, 1)]
    public void RegularizedEvolution_must_take_parents_only_from_the_current_population(int population, int sample)
    {
        var s = new RegEvo(Spos16, Constraints.None, Small(population, sample, cycles: 40, batch: 3), 3);
        var run = SearchDriver.Run(s, SearchDriver.HashScore, orderSeed: 5);
        var children = Children(run).ToList();
        Assert.Equal(40, children.Count);
        foreach (var (child, before, parent) in children)
        {
            var window = Window(before, population);
            Assert.Equal(window, s.Population(before));
            Assert.Contains(parent, window);
            Assert.True(parent.Rollout.Id.Value >= before.NextRolloutId - population, $"{child.Id}'s parent {parent.Rollout.Id} has aged out");
        }
    }

    [Fact]
    public void RegularizedEvolution_must_let_the_oldest_age_out_however_good_it_is()
    {
        // Older is better: with the whole population in the tournament the parent is always the oldest member, so the
        // parents walk forward one batch a generation, and the best ever (r0) is a parent in generation 1 only.
        var s = new RegEvo(Spos16, Constraints.None, Small(population: 6, sample: 6, cycles: 20, batch: 4), 9);
        var run = SearchDriver.Run(s, r => new Metrics(1 - r.Id.Value * 1e-3, 0, 0, 0));
        foreach (var (child, _, parent) in Children(run))
            Assert.Equal((child.Generation - 1) * 4, parent.Rollout.Id.Value);
        Assert.Equal(0, run.Final.Parents[0].Rollout.Id.Value); // the result still remembers it
    }

    [Fact]
    public void RegularizedEvolution_must_take_the_best_of_the_whole_population_when_the_sample_is_all_of_it()
    {
        var s = new RegEvo(Spos16, Constraints.None, Small(population: 8, sample: 8, cycles: 30, batch: 3), 4);
        var run = SearchDriver.Run(s, SearchDriver.HashScore, orderSeed: 1);
        var children = Children(run).ToList();
        Assert.Equal(30, children.Count);
        foreach (var (_, before, parent) in children)
            Assert.Equal(Window(before, 8).Order(ScoredRollout.BestFirst).First(), parent);
    }

    [Fact]
    public void RegularizedEvolution_must_take_the_best_of_a_tournament_drawn_without_replacement()
    {
        // The parent is the best of `sample` distinct members: at least sample - 1 members rank below it, and it ranks
        // first with probability sample / population (0.3 here), the k-th with C(P-1-k, S-1) / C(P, S).
        const int population = 10, sample = 3;
        var ranks = new int[population];
        for (var seed = 0; seed < 25; seed++)
        {
            var s = new RegEvo(Spos16, Constraints.None, Small(population, sample, cycles: 40, batch: 5), seed);
            foreach (var (_, before, parent) in Children(SearchDriver.Run(s, SearchDriver.HashScore)))
                ranks[Window(before, population).Order(ScoredRollout.BestFirst).ToList().IndexOf(parent)]++;
        }
        var n = ranks.Sum();
        output.WriteLine($"parent ranks in the population over {n} children: {string.Join(" ", ranks)}");
        Assert.Equal(25 * 40, n);
        Assert.All(ranks.Skip(population - sample + 1), r => Assert.Equal(0, r));
        static double Binomial(int a, int b) => b < 0 || b > a ? 0 : Enumerable.Range(1, b).Aggregate(1.0, (acc, i) => acc * (a - b + i) / i);
        for (var k = 0; k <= population - sample; k++)
        {
            var expected = n * Binomial(population - 1 - k, sample - 1) / Binomial(population, sample);
            var sd = Math.Sqrt(expected * (1 - expected / n));
            Assert.True(Math.Abs(ranks[k] - expected) <= 4 * sd + 2, $"rank {k}: {ranks[k]} parents, expected {expected:F1}");
        }
    }

    [Fact]
    public void RegularizedEvolution_must_mutate_every_child_away_from_its_parent()
    {
        var exact = new RegEvo(Spos16, Constraints.None, Small(p: 0), 5);
        var children = Children(SearchDriver.Run(exact, SearchDriver.HashScore)).ToList();
        Assert.All(children, c => Assert.Equal(1, Distance(c.Child.Architecture, c.Parent.Rollout.Architecture))); // p = 0: exactly one choice

        var light = new RegEvo(Spos16, Constraints.None, Small(cycles: 200, p: 1.0 / 16), 5);
        var distances = Children(SearchDriver.Run(light, SearchDriver.HashScore)).Select(c => Distance(c.Child.Architecture, c.Parent.Rollout.Architecture)).ToList();
        Assert.All(distances, d => Assert.InRange(d, 1, 16));
        output.WriteLine($"mean distance at p = 1/16: {distances.Average():F2}");
        Assert.InRange(distances.Average(), 1.0, 2.0);

        var heavy = new RegEvo(Spos16, Constraints.None, Small(cycles: 200, p: 1.0), 5);
        var far = Children(SearchDriver.Run(heavy, SearchDriver.HashScore)).Average(c => Distance(c.Child.Architecture, c.Parent.Rollout.Architecture));
        Assert.InRange(far, 10.0, 14.0); // every choice redrawn: 3 in 4 differ
    }

    [Fact]
    public void RegularizedEvolution_must_fall_back_to_a_uniform_sample_when_no_mutation_is_new()
    {
        // Four architectures; from the single parent, changing one choice reaches two: the third child cannot be a mutation.
        var space = SearchSpace.Create("2x2", [Choice.Layer("a", "x", "y"), Choice.Layer("b", "x", "y")]);
        var s = new RegEvo(space, Constraints.None, new RegularizedEvolutionSettings(1, 1, 3, 3, 0, 1), 3);
        var run = SearchDriver.Run(s, SearchDriver.HashScore);
        Assert.Equal([1, 3], run.Proposals.Select(p => p.Rollouts.Length));
        Assert.Equal(["gen 1 mutation of r0", "gen 1 mutation of r0", "gen 1 random (no new mutation)"], run.Proposals[1].Rollouts.Select(r => r.Origin));
        Assert.Equal(Gens.AllArchitectures(space).Select(a => a.CanonicalKey).Order(), run.AllRollouts.Select(r => r.Architecture.CanonicalKey).Order());
    }

    [Fact]
    public void RegularizedEvolution_must_end_the_search_when_the_space_is_exhausted()
    {
        var space = SearchSpace.Create("tiny", [Choice.Layer("op", "a", "b", "c"), Choice.Input("in", 2)]); // 6 architectures
        var s = new RegEvo(space, Constraints.None, Small(population: 4, sample: 2, cycles: 20, batch: 4), 1);
        var run = SearchDriver.Run(s, SearchDriver.HashScore);
        Assert.Equal(6, run.AllRollouts.Count());
        Assert.Empty(run.Proposals[^1].Rollouts);
        Assert.True(run.Final.Finished);
        Assert.Null(s.Propose(run.Final));
    }

    [Fact]
    public void RegularizedEvolution_must_keep_every_candidate_within_the_limits()
    {
        var space = Fixtures.SposSpace6();
        var costs = Fixtures.SposCosts(space);
        var limit = Fixtures.MedianFlops(space, costs);
        var s = new RegEvo(space, new Constraints(costs, limit, null), Small(cycles: 60), 8);
        var run = SearchDriver.Run(s, SearchDriver.HashScore);
        Assert.Equal(70, run.AllRollouts.Count());
        Assert.All(run.AllRollouts, r => Assert.True(costs.Cost(r.Architecture).Flops <= limit));
    }

    [Fact]
    public void RegularizedEvolution_must_propose_the_same_children_for_the_same_seed_and_others_for_another()
    {
        SearchRun Run(long seed, long order) =>
            SearchDriver.Run(new RegEvo(Spos16, Constraints.None, Small(), seed), SearchDriver.HashScore, orderSeed: order);
        var a = Run(11, 1);
        SearchAssert.SameProposals(a.Proposals, Run(11, 2).Proposals); // the order results arrive in does not matter
        Assert.NotEqual(a.Proposals[0].RngAfter, Run(12, 1).Proposals[0].RngAfter);
        Assert.NotEqual(a.Proposals[1].Rollouts.Select(r => r.Architecture), Run(12, 1).Proposals[1].Rollouts.Select(r => r.Architecture));
    }

    [Fact]
    public void RegularizedEvolution_must_beat_random_search_with_the_same_budget()
    {
        double evolved = 0, random = 0;
        var seeds = Enumerable.Range(1, 6).Select(i => (long)i).ToArray();
        foreach (var seed in seeds)
        {
            var s = new RegEvo(Spos16, Constraints.None, Small(population: 20, sample: 5, cycles: 180, batch: 10), seed);
            evolved += SearchDriver.Run(s, r => SposEvolutionTests.TargetScore(Spos16, r.Architecture)).Final.Parents[0].Metrics.Accuracy;
            var r = new RandomSearch(Spos16, Constraints.None, seed, generations: 10, batchSize: 20);
            random += SearchDriver.Run(r, x => SposEvolutionTests.TargetScore(Spos16, x.Architecture)).Final.Parents[0].Metrics.Accuracy;
        }
        evolved /= seeds.Length;
        random /= seeds.Length;
        output.WriteLine($"mean best of 200 candidates: regularized evolution {evolved:F3}, random search {random:F3}");
        Assert.True(evolved >= random + 0.15, $"regularized evolution {evolved:F3} does not beat random search {random:F3} by 0.15");
    }
}
