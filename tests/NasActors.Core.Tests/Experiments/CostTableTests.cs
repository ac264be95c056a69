using System.Collections.Immutable;
using CsCheck;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Tests.Support;

namespace NasActors.Core.Tests.Experiments;

public class CostTableTests
{
    internal static SearchSpace Space() => SearchSpace.Create("s", [Choice.Layer("b0", "small", "big"), Choice.Layer("b1", "small", "big", "huge")]);

    internal static CostTable Table() => new(new ArchitectureCost(1000, 100), ImmutableDictionary<string, ArchitectureCost>.Empty
        .Add("b0=small", new(10, 7))
        .Add("b0=big", new(50, 3))   // cheapest params and dearest FLOPs on b0: minima come from different candidates
        .Add("b1=small", new(20, 4))
        .Add("b1=big", new(60, 8))
        .Add("b1=huge", new(500, 80)));

    private static Architecture Arch(string b0, string b1) => new([KeyValuePair.Create("b0", b0), KeyValuePair.Create("b1", b1)]);

    [Fact]
    public void CostTable_EntryKey_must_join_key_and_candidate_with_equals()
    {
        Assert.Equal("stage0/block1=shuffle_3x3", CostTable.EntryKey("stage0/block1", "shuffle_3x3"));
    }

    [Fact]
    public void CostTable_Cost_must_add_the_base_and_one_entry_per_choice()
    {
        Assert.Equal(new ArchitectureCost(1000 + 10 + 500, 100 + 7 + 80), Table().Cost(Arch("small", "huge")));
        Assert.Equal(new ArchitectureCost(1000 + 50 + 20, 100 + 3 + 4), Table().Cost(Arch("big", "small")));
    }

    [Fact]
    public void CostTable_Cost_must_equal_the_sum_of_entries_for_random_tables()
    {
        Gen.Select(Gens.SpaceAndArch(), Gen.Long, (sa, seed) => (sa.Space, sa.Arch, seed)).Sample((space, arch, seed) =>
        {
            var table = Gens.RandomCostTable(space, seed);
            var cost = table.Cost(arch);
            var entries = space.Choices.Select(c => table.Entries[CostTable.EntryKey(c.Key, arch[c.Key])]).ToList();
            Assert.Equal(table.Base.Flops + entries.Sum(e => e.Flops), cost.Flops);
            Assert.Equal(table.Base.Params + entries.Sum(e => e.Params), cost.Params);
        }, iter: 200);
    }

    [Fact]
    public void CostTable_Cost_must_reject_an_unknown_entry_naming_the_choice_and_value()
    {
        var e = Assert.Throws<SearchSpaceException>(() => Table().Cost(Arch("small", "giant")));
        Assert.Contains("b1=giant", e.Message);
        Assert.Contains("different search space", e.Message);
        var e2 = Assert.Throws<SearchSpaceException>(() => Table().Cost(Arch("small", "big").With("b2", "small")));
        Assert.Contains("b2=small", e2.Message);
    }

    [Fact]
    public void CostTable_Minimum_must_take_each_choice_cheapest_flops_and_params_independently()
    {
        Assert.Equal(new ArchitectureCost(1000 + 10 + 20, 100 + 3 + 4), Table().Minimum(Space()));
    }

    [Fact]
    public void CostTable_Minimum_must_bound_every_architecture_and_be_reached_per_metric()
    {
        Gen.Select(Gens.Space(1, 4), Gen.Long, (s, seed) => (s, seed)).Sample((space, seed) =>
        {
            // Layer/value spaces only: Minimum reads one entry per candidate.
            var layerOnly = SearchSpace.Create("l", space.Choices.Where(c => c.Kind != ChoiceKind.Input).DefaultIfEmpty(Choice.Layer("only", "x", "y")));
            var table = Gens.RandomCostTable(layerOnly, seed);
            var min = table.Minimum(layerOnly);
            var costs = Gens.AllArchitectures(layerOnly).Select(table.Cost).ToList();
            Assert.Equal(costs.Min(c => c.Flops), min.Flops);
            Assert.Equal(costs.Min(c => c.Params), min.Params);
        }, iter: 100);
    }
}

public class RolloutTests
{
    private static readonly Architecture A = new([KeyValuePair.Create("op", "conv")]);

    private static ScoredRollout Scored(int id, double acc, double loss) =>
        new(new Rollout(new RolloutId(id), A, 0, "test"), new Metrics(acc, loss, 0, 0));

    [Fact]
    public void RolloutId_must_print_as_r_number_and_order_by_value()
    {
        Assert.Equal("r12", new RolloutId(12).ToString());
        Assert.Equal("r0", new RolloutId(0).ToString());
        Assert.True(new RolloutId(2).CompareTo(new RolloutId(10)) < 0);
        Assert.Equal(new RolloutId(3), new RolloutId(3));
        Assert.Equal([1, 2, 10], new[] { new RolloutId(10), new RolloutId(1), new RolloutId(2) }.Order().Select(r => r.Value));
    }

    [Fact]
    public void ScoredRollout_BestFirst_must_rank_by_accuracy_then_loss_then_id()
    {
        var items = new[]
        {
            Scored(5, 0.90, 0.30),
            Scored(1, 0.80, 0.10),
            Scored(4, 0.90, 0.20),
            Scored(2, 0.90, 0.20),
            Scored(3, 0.95, 0.90),
        };
        Assert.Equal([3, 2, 4, 5, 1], items.Order(ScoredRollout.BestFirst).Select(s => s.Rollout.Id.Value));
    }

    [Fact]
    public void ScoredRollout_BestFirst_must_give_the_same_order_for_any_input_order()
    {
        Gen.Select(Gen.Int[0, 3].Array[1, 30], Gen.Long, (accs, seed) => (accs, seed)).Sample((accs, seed) =>
        {
            var items = accs.Select((a, i) => Scored(i, a / 4.0, (i * 7 % 3) / 10.0)).ToList();
            var expected = items.Order(ScoredRollout.BestFirst).ToList();
            SearchDriver.Shuffle(items, Xoshiro256.FromSeed(seed));
            Assert.Equal(expected, items.Order(ScoredRollout.BestFirst));
        }, iter: 200);
    }
}
