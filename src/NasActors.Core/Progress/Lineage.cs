using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.Progress;

/// <summary>
/// Where a rollout came from: its ancestors through mutation and crossover, each with the event and checkpoint that
/// scored it, traced over a plan's statuses in journal order (the ranking holds every scored rollout).
/// </summary>
public static class Lineage
{
    /// <summary>The lineage of the best rollout of the last status; null if nothing was scored.</summary>
    public static LineageNode? OfBest(IReadOnlyList<(long Sequence, PlanStatus Status)> history)
    {
        if (history.Count == 0 || history[^1].Status.Ranking.IsEmpty) return null;
        return Of(history, history[^1].Status.Ranking[0].Rollout.Id);
    }

    public static LineageNode? Of(IReadOnlyList<(long Sequence, PlanStatus Status)> history, RolloutId id)
    {
        var scored = new Dictionary<RolloutId, (ScoredRollout Rollout, long At, string? Checkpoint)>();
        foreach (var (seq, s) in history)
            foreach (var r in s.Ranking)
                scored.TryAdd(r.Rollout.Id, (r, seq, s.Checkpoint));
        var seen = new HashSet<RolloutId>();
        return Node(id);

        LineageNode? Node(RolloutId i)
        {
            if (!scored.TryGetValue(i, out var x)) return null;
            var how = Provenance.Of(x.Rollout.Rollout);
            if (!seen.Add(i)) return new LineageNode(x.Rollout, how, x.At, x.Checkpoint, [], Repeated: true);
            var parents = how.Parents.Select(Node).OfType<LineageNode>().ToImmutableArray();
            return new LineageNode(x.Rollout, how, x.At, x.Checkpoint, parents);
        }
    }

    /// <summary>The lineage as indented lines (a tree), for `nas status --lineage` and the report.</summary>
    public static IEnumerable<string> Lines(LineageNode root)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return Walk(root, "", "");

        IEnumerable<string> Walk(LineageNode n, string lead, string childLead)
        {
            var r = n.Rollout;
            var parents = n.How.Parents.IsEmpty ? "" : " of " + string.Join(" x ", n.How.Parents);
            var where = n.Repeated ? "  (see above)" : string.Create(inv,
                $"  acc {r.Metrics.Accuracy:P2}  FLOPs {r.Metrics.Flops / 1e6:F2} M  scored at event {n.ScoredAt}{(n.Checkpoint is { } c ? " with checkpoint " + Experiments.Hashes.Short(c) : "")}");
            yield return $"{lead}{r.Rollout.Id} gen {r.Rollout.Generation} {n.How.Operator}{parents}{where}";
            for (var i = 0; i < n.Parents.Length; i++)
            {
                var last = i == n.Parents.Length - 1;
                foreach (var line in Walk(n.Parents[i], childLead + (last ? "└─ " : "├─ "), childLead + (last ? "   " : "│  ")))
                    yield return line;
            }
        }
    }
}
