using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Progress;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Tests.Progress;

public sealed class LineageTests
{
    private static ScoredRollout Scored(int id, int gen, string origin, double acc) =>
        new(new Rollout(new RolloutId(id), new Architecture([new("a", "x" + id)]), gen, origin), new Metrics(acc, 1, 1000 * id, 10));

    private static PlanStatus Status(string? checkpoint, params ScoredRollout[] ranking) => new("test", "search", false,
        [.. ranking.Order(ScoredRollout.BestFirst)], ranking.Length, checkpoint, null, null, [new PlanCounter("scored", ranking.Length, 10)],
        ImmutableSortedDictionary<string, double>.Empty);

    [Fact]
    public void Lineage_must_follow_mutation_and_crossover_parents_with_the_event_and_checkpoint_that_scored_each()
    {
        var r0 = Scored(0, 0, "gen 0 random", 0.5);
        var r1 = Scored(1, 0, "gen 0 random", 0.6);
        var r2 = Scored(2, 1, "gen 1 crossover of r0 x r1", 0.7);
        var r3 = Scored(3, 2, "gen 2 mutation of r2", 0.8);
        var history = new List<(long, PlanStatus)>
        {
            (5, Status("ck-a", r0)),
            (6, Status("ck-a", r0, r1)),
            (9, Status("ck-b", r0, r1, r2)),
            (12, Status("ck-c", r0, r1, r2, r3)),
        };
        var root = Lineage.OfBest(history)!;
        Assert.Equal(new RolloutId(3), root.Rollout.Rollout.Id);
        Assert.Equal(("mutation", 12L, "ck-c"), (root.How.Operator, root.ScoredAt, root.Checkpoint));
        var cross = Assert.Single(root.Parents);
        Assert.Equal(("crossover", 9L, "ck-b"), (cross.How.Operator, cross.ScoredAt, cross.Checkpoint));
        Assert.Equal([new RolloutId(0), new RolloutId(1)], cross.Parents.Select(p => p.Rollout.Rollout.Id));
        Assert.All(cross.Parents, p => Assert.Equal("random", p.How.Operator));
        Assert.Equal(5L, cross.Parents[0].ScoredAt);

        var lines = Lineage.Lines(root).ToList();
        Assert.Equal(4, lines.Count);
        Assert.StartsWith("r3 gen 2 mutation of r2", lines[0]);
        Assert.StartsWith("└─ r2 gen 1 crossover of r0 x r1", lines[1]);
        Assert.StartsWith("   ├─ r0 gen 0 random", lines[2]);
        Assert.StartsWith("   └─ r1 gen 0 random", lines[3]);
    }

    [Fact]
    public void Provenance_must_read_every_origin_the_strategies_write()
    {
        Assert.Equal("policy sample", Provenance.Of(Scored(4, 40, "policy step 40", 0).Rollout).Operator);
        Assert.Equal("policy derive", Provenance.Of(Scored(4, 60, "derive from policy step 60", 0).Rollout).Operator);
        Assert.Equal("random", Provenance.Of(Scored(4, 3, "gen 3 random (no new mutation)", 0).Rollout).Operator);
        Assert.Empty(Provenance.Of(Scored(4, 60, "derive from policy step 60", 0).Rollout).Parents);
    }
}
