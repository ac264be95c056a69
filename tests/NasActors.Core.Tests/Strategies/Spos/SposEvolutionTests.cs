using System.Collections.Immutable;
using System.Text.RegularExpressions;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies.Random;
using NasActors.Core.Strategies.Spos;
using NasActors.Core.Strategies;
using NasActors.Core.Tests.Support;
using Xunit.Abstractions;

namespace NasActors.Core.Tests.Strategies.Spos;

public partial class SposEvolutionTests(ITestOutputHelper output)
{
    /// <summary>The SPOS block space with 16 blocks (4 stages of 4) and the paper's 4 candidates: 4^16 architectures.</summary>
    internal static SearchSpace Spos16() => SposSpace.Create(new SupernetSpec(16, [16, 32, 64, 128], [4, 4, 4, 4], SposSpace.PaperCandidates));

    /// <summary>Fake accuracy: fraction of blocks that use the block's "good" op (a different one per block).</summary>
    internal static Metrics TargetScore(SearchSpace space, Architecture a)
    {
        var hits = space.Choices.Select((c, i) => a[c.Key] == c.Candidates[(i * 3 + 1) % c.Candidates.Length] ? 1 : 0).Sum();
        var acc = hits / (double)space.Choices.Length;
        return new Metrics(acc, 1 - acc, 0, 0);
    }

    private static SposEvolutionSettings Small(long seed = 1) => new(PopulationSize: 20, Generations: 10, TopK: 5, MutationCount: 8,
        MutationProbability: 0.1, CrossoverCount: 8, Seed: seed);

    [GeneratedRegex(@"^gen (\d+) mutation of r(\d+)$")] private static partial Regex MutationOrigin();
    [GeneratedRegex(@"^gen (\d+) crossover of r(\d+) x r(\d+)$")] private static partial Regex CrossoverOrigin();
    [GeneratedRegex(@"^gen (\d+) random$")] private static partial Regex RandomOrigin();

    private static int Distance(Architecture a, Architecture b) => a.Choices.Count(kv => b[kv.Key] != kv.Value);

    [Fact]
    public void SposEvolution_must_be_named_spos_evolution_and_expose_its_settings()
    {
        var s = new SposEvolution(Spos16(), Constraints.None, Small());
        Assert.Equal("spos-evolution", s.Name);
        Assert.Equal(Small(), s.Settings);
        Assert.Equal(10, s.Generations);
    }

    [Fact]
    public void SposEvolution_must_start_from_an_initial_state_with_no_generation()
    {
        var state = new SposEvolution(Spos16(), Constraints.None, Small(seed: 77)).Initial();
        Assert.Equal(-1, state.Generation);
        Assert.Equal(Xoshiro256.StateFromSeed(77), state.Rng);
        Assert.Equal(0, state.NextRolloutId);
        Assert.Empty(state.Pending);
        Assert.Empty(state.Scores);
        Assert.Empty(state.Parents);
        Assert.Empty(state.Visited);
        Assert.False(state.Finished);
        Assert.True(state.GenerationComplete);
    }

    [Fact]
    public void SposEvolution_must_fill_generation_zero_with_random_samples()
    {
        var s = new SposEvolution(Spos16(), Constraints.None, Small());
        var p = s.Propose(s.Initial())!;
        Assert.Equal(0, p.Generation);
        Assert.Equal(20, p.Rollouts.Length);
        Assert.All(p.Rollouts, r => Assert.Matches(RandomOrigin(), r.Origin));
    }

    [Fact]
    public void SposEvolution_must_compose_later_generations_of_mutations_crossovers_and_random_samples()
    {
        var s = new SposEvolution(Spos16(), Constraints.None, Small());
        var run = SearchDriver.Run(s, r => SearchDriver.HashScore(r));
        var gen1 = run.Proposals[1].Rollouts;
        Assert.Equal(8, gen1.Count(r => MutationOrigin().IsMatch(r.Origin)));
        Assert.Equal(8, gen1.Count(r => CrossoverOrigin().IsMatch(r.Origin)));
        Assert.Equal(4, gen1.Count(r => RandomOrigin().IsMatch(r.Origin)));
        // Operators come first, in order: mutations, then crossovers, then random fill.
        string[] expected = [.. Enumerable.Repeat("mutation", 8), .. Enumerable.Repeat("crossover", 8), .. Enumerable.Repeat("random", 4)];
        Assert.Equal(expected, gen1.Select(r => r.Origin.Split(' ')[2]));
    }

    [Fact]
    public void SposEvolution_must_mutate_parents_by_resampling_few_choices()
    {
        var s = new SposEvolution(Spos16(), Constraints.None, Small() with { MutationProbability = 1.0 / 16 });
        var run = SearchDriver.Run(s, r => TargetScore(s.Space, r.Architecture));
        var byId = run.AllRollouts.ToDictionary(r => r.Id.Value);
        var distances = new List<int>();
        for (var i = 0; i < run.Events.Count; i++)
        {
            if (run.Events[i] is not Proposed p) continue;
            var parentsAtProposal = (i == 0 ? run.Initial : run.States[i - 1]).Parents.Select(x => x.Rollout.Id.Value).ToHashSet();
            foreach (var r in p.Proposal.Rollouts)
            {
                var m = MutationOrigin().Match(r.Origin);
                if (!m.Success) continue;
                var parentId = int.Parse(m.Groups[2].Value);
                Assert.Contains(parentId, parentsAtProposal);
                var d = Distance(r.Architecture, byId[parentId].Architecture);
                Assert.InRange(d, 1, 16);
                distances.Add(d);
            }
        }
        Assert.True(distances.Count >= 8 * 9 / 2, $"only {distances.Count} mutations");
        // With p = 1/16 and a 3-in-4 chance of drawing a different op, a child differs in ~1-2 blocks; a random one in ~12.
        Assert.InRange(distances.Average(), 1.0, 3.0);
    }

    [Fact]
    public void SposEvolution_must_build_crossover_children_only_from_their_two_parents_values()
    {
        var s = new SposEvolution(Spos16(), Constraints.None, Small());
        var run = SearchDriver.Run(s, r => SearchDriver.HashScore(r));
        var byId = run.AllRollouts.ToDictionary(r => r.Id.Value);
        var count = 0;
        for (var i = 0; i < run.Events.Count; i++)
        {
            if (run.Events[i] is not Proposed p) continue;
            var parentsAtProposal = (i == 0 ? run.Initial : run.States[i - 1]).Parents.Select(x => x.Rollout.Id.Value).ToHashSet();
            foreach (var r in p.Proposal.Rollouts)
            {
                var m = CrossoverOrigin().Match(r.Origin);
                if (!m.Success) continue;
                var (a, b) = (byId[int.Parse(m.Groups[2].Value)].Architecture, byId[int.Parse(m.Groups[3].Value)].Architecture);
                Assert.Contains(int.Parse(m.Groups[2].Value), parentsAtProposal);
                Assert.Contains(int.Parse(m.Groups[3].Value), parentsAtProposal);
                Assert.All(r.Architecture.Choices, kv => Assert.True(kv.Value == a[kv.Key] || kv.Value == b[kv.Key], $"{r.Id} {kv.Key}={kv.Value} is from neither parent"));
                count++;
            }
        }
        Assert.True(count >= 8 * 9 / 2, $"only {count} crossovers");
    }

    [Fact]
    public void SposEvolution_must_improve_the_best_score_over_generations()
    {
        var space = Spos16();
        double gen0Total = 0, finalTotal = 0, randomTotal = 0;
        var seeds = Enumerable.Range(1, 6).Select(i => (long)i).ToArray();
        foreach (var seed in seeds)
        {
            var s = new SposEvolution(space, Constraints.None, Small(seed));
            var run = SearchDriver.Run(s, r => TargetScore(space, r.Architecture));
            Assert.Equal(10, run.Proposals.Count);
            var gen0Best = run.Final.Scores.Values.Where(x => x.Rollout.Generation == 0).Max(x => x.Metrics.Accuracy);
            var finalBest = run.Final.Parents[0].Metrics.Accuracy;
            Assert.True(finalBest >= gen0Best); // the global top-k never forgets
            gen0Total += gen0Best;
            finalTotal += finalBest;
            // Same budget spent on uniform samples.
            var random = SearchDriver.Run(new RandomSearch(space, Constraints.None, seed, 10, 20), r => TargetScore(space, r.Architecture));
            randomTotal += random.Final.Parents[0].Metrics.Accuracy;
        }
        double gen0 = gen0Total / seeds.Length, final = finalTotal / seeds.Length, rand = randomTotal / seeds.Length;
        output.WriteLine($"mean best: generation 0 {gen0:F3}, after 10 generations {final:F3}, random search with the same budget {rand:F3}");
        Assert.True(final >= gen0 + 0.25, $"evolution best {final:F3} does not beat generation 0 best {gen0:F3} by 0.25");
        Assert.True(final >= rand + 0.15, $"evolution best {final:F3} does not beat random search best {rand:F3} by 0.15");
    }

    [Fact]
    public void SposEvolution_must_keep_better_parents_from_older_generations()
    {
        // Later generations score worse: the top-k must stay with generation 0 (global memory, not the last generation).
        var s = new SposEvolution(Spos16(), Constraints.None, Small() with { Generations = 4 });
        var run = SearchDriver.Run(s, r => new Metrics(1.0 - r.Generation * 0.2 - r.Id.Value * 1e-4, 0, 0, 0));
        Assert.Equal(5, run.Final.Parents.Length);
        Assert.All(run.Final.Parents, p => Assert.Equal(0, p.Rollout.Generation));
        Assert.Equal([0, 1, 2, 3, 4], run.Final.Parents.Select(p => p.Rollout.Id.Value));
    }

    [Fact]
    public void SposEvolution_must_break_score_ties_by_lower_loss_then_smaller_id()
    {
        var s = new SposEvolution(Spos16(), Constraints.None, Small() with { Generations = 2 });
        var run = SearchDriver.Run(s, r => new Metrics(0.5, r.Id.Value == 17 ? 0.1 : 0.2, 0, 0));
        Assert.Equal([17, 0, 1, 2, 3], run.Final.Parents.Select(p => p.Rollout.Id.Value));
    }

    [Fact]
    public void SposEvolution_must_end_the_search_when_the_space_is_smaller_than_the_population()
    {
        var space = SearchSpace.Create("tiny", [Choice.Layer("op", "a", "b", "c"), Choice.Input("in", 2)]); // 6 architectures
        var s = new SposEvolution(space, Constraints.None, Small());
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var run = SearchDriver.Run(s, r => SearchDriver.HashScore(r));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
        Assert.Equal(2, run.Proposals.Count);
        Assert.Equal(6, run.Proposals[0].Rollouts.Length);
        Assert.Empty(run.Proposals[1].Rollouts);
        Assert.True(run.Final.Finished);
        Assert.Equal(1, run.Final.Generation);
        Assert.Equal(Gens.AllArchitectures(space).Select(a => a.CanonicalKey).Order(), run.AllRollouts.Select(r => r.Architecture.CanonicalKey).Order());
        Assert.Null(s.Propose(run.Final));
    }

    [Fact]
    public void SposEvolution_must_end_the_search_when_no_architecture_meets_the_limits()
    {
        var space = Spos16();
        var costs = new CostTable(new ArchitectureCost(100, 10), space.Choices
            .SelectMany(c => c.Candidates.Select(v => KeyValuePair.Create(CostTable.EntryKey(c.Key, v), new ArchitectureCost(10, 1))))
            .ToImmutableDictionary());
        var s = new SposEvolution(space, new Constraints(costs, 100 + 16 * 10 - 1, null), Small());
        var p = s.Propose(s.Initial())!;
        Assert.Empty(p.Rollouts);
        var state = s.Apply(s.Initial(), p);
        Assert.True(state.Finished);
        Assert.Null(s.Propose(state));
    }

    [Fact]
    public void SposEvolution_must_finish_after_a_single_generation_when_configured_so()
    {
        var s = new SposEvolution(Spos16(), Constraints.None, Small() with { Generations = 1 });
        var run = SearchDriver.Run(s, r => SearchDriver.HashScore(r));
        Assert.Single(run.Proposals);
        Assert.True(run.Final.Finished);
        Assert.Equal(0, run.Final.Generation);
        Assert.Equal(5, run.Final.Parents.Length);
    }

    [Fact]
    public void SposEvolution_must_not_propose_while_the_generation_awaits_scores()
    {
        var s = new SposEvolution(Spos16(), Constraints.None, Small());
        var state = s.Apply(s.Initial(), s.Propose(s.Initial())!);
        Assert.Null(s.Propose(state));
        foreach (var r in state.Pending.SkipLast(1)) state = s.Observe(state, r.Id, SearchDriver.HashScore(r));
        Assert.Null(s.Propose(state));
        Assert.Empty(state.Parents); // parents are chosen only once the generation is complete
        Assert.Single(state.Unscored);
        var last = state.Pending[^1];
        state = s.Observe(state, last.Id, SearchDriver.HashScore(last));
        Assert.True(state.GenerationComplete);
        Assert.Equal(5, state.Parents.Length);
        Assert.Equal(1, s.Propose(state)!.Generation);
    }

    [Fact]
    public void SposEvolution_Propose_must_not_change_the_state_it_is_given()
    {
        var s = new SposEvolution(Spos16(), Constraints.None, Small());
        var initial = s.Initial();
        var a = s.Propose(initial)!;
        var b = s.Propose(initial)!;
        SearchAssert.SameProposal(a, b);
        SearchAssert.SameState(s.Initial(), initial);
        Assert.NotEqual(initial.Rng, a.RngAfter);
    }

    [Fact]
    public void SposEvolution_Observe_must_ignore_duplicate_and_unknown_rollout_ids()
    {
        var s = new SposEvolution(Spos16(), Constraints.None, Small());
        var init = s.Initial();
        Assert.Same(init, s.Observe(init, new RolloutId(0), new Metrics(1, 0, 0, 0)));                // nothing proposed yet

        var state = s.Apply(s.Initial(), s.Propose(s.Initial())!);
        var first = state.Pending[3];
        state = s.Observe(state, first.Id, new Metrics(0.4, 0.6, 1, 1));
        Assert.Same(state, s.Observe(state, first.Id, new Metrics(0.9, 0.1, 1, 1)));          // duplicate: first result wins
        Assert.Same(state, s.Observe(state, new RolloutId(20), new Metrics(0.9, 0.1, 1, 1)));  // not proposed yet
        Assert.Same(state, s.Observe(state, new RolloutId(-1), new Metrics(0.9, 0.1, 1, 1)));
        Assert.Equal(0.4, state.Scores[first.Id].Metrics.Accuracy);

        foreach (var r in state.Unscored.ToList()) state = s.Observe(state, r.Id, SearchDriver.HashScore(r));
        state = s.Apply(state, s.Propose(state)!);
        Assert.Same(state, s.Observe(state, first.Id, new Metrics(1, 0, 1, 1)));               // late result from generation 0
    }

    [Fact]
    public void SposEvolution_must_produce_different_architectures_for_different_seeds()
    {
        var a = new SposEvolution(Spos16(), Constraints.None, Small(1));
        var b = new SposEvolution(Spos16(), Constraints.None, Small(2));
        var pa = a.Propose(a.Initial())!.Rollouts.Select(r => r.Architecture.CanonicalKey);
        var pb = b.Propose(b.Initial())!.Rollouts.Select(r => r.Architecture.CanonicalKey);
        Assert.Empty(pa.Intersect(pb));
    }

    [Fact]
    public void SposEvolution_must_run_the_paper_defaults_on_the_spos_space()
    {
        var space = SposSpace.Create(new SupernetSpec(16, [64, 160, 320, 640], [4, 4, 8, 4], SposSpace.PaperCandidates));
        var s = new SposEvolution(space, Constraints.None, new SposEvolutionSettings(Seed: 3));
        var run = SearchDriver.Run(s, r => TargetScore(space, r.Architecture));
        Assert.Equal(20, run.Proposals.Count);
        Assert.All(run.Proposals, p => Assert.Equal(50, p.Rollouts.Length));
        Assert.Equal(1000, run.Final.Visited.Count);
    }
}
