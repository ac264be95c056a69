using System.Globalization;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies;

namespace NasActors.Core.Tests.Support;

/// <summary>What a proposer actor persists: proposals and observed rewards, in order.</summary>
public abstract record SearchEvent;
public sealed record Proposed(Proposal Proposal) : SearchEvent;
public sealed record Observed(RolloutId Id, Metrics Metrics) : SearchEvent;

public sealed class SearchRun
{
    public List<SearchEvent> Events { get; } = [];
    /// <summary>State after each event (same index as <see cref="Events"/>).</summary>
    public List<SearchState> States { get; } = [];
    public List<Proposal> Proposals { get; } = [];
    public required SearchState Initial { get; init; }
    public SearchState Final => States.Count == 0 ? Initial : States[^1];
    public IEnumerable<Rollout> AllRollouts => Proposals.SelectMany(p => p.Rollouts);
}

/// <summary>
/// Drives a strategy like the proposer actor does: propose, apply, hand out the rollouts, observe each score.
/// A fake evaluator replaces training. Observation order within a generation can be shuffled.
/// </summary>
public static class SearchDriver
{
    public static SearchRun Run(ISearchStrategy strategy, Func<Rollout, Metrics> evaluate,
        long? orderSeed = null, SearchState? from = null, bool noise = false, int maxProposals = 10_000)
    {
        var state = from ?? strategy.Initial();
        var run = new SearchRun { Initial = state };
        var order = orderSeed is { } os ? Xoshiro256.FromSeed(os) : null;
        var noiseRng = Xoshiro256.FromSeed(12345);

        void Record(SearchEvent e, SearchState s) { run.Events.Add(e); run.States.Add(s); state = s; }

        void ObserveAll()
        {
            var todo = state.Unscored.ToList();
            if (order is not null) Shuffle(todo, order);
            foreach (var r in todo)
            {
                var m = evaluate(r);
                Record(new Observed(r.Id, m), strategy.Observe(state, r.Id, m));
                if (!noise) continue;
                foreach (var (id, junk) in Noise(state, noiseRng))
                    Record(new Observed(id, junk), strategy.Observe(state, id, junk));
            }
        }

        ObserveAll(); // resuming mid-generation: finish the in-flight work first
        for (var i = 0; i < maxProposals; i++)
        {
            var p = strategy.Propose(state);
            if (p is null)
            {
                if (state.Finished) return run;
                throw new InvalidOperationException("Propose returned null although the generation is complete and the search is not finished");
            }
            run.Proposals.Add(p);
            Record(new Proposed(p), strategy.Apply(state, p));
            ObserveAll();
        }
        throw new InvalidOperationException($"search did not finish within {maxProposals} proposals");
    }

    /// <summary>Late, duplicate and unknown results a real cluster produces: none may change the state.</summary>
    private static IEnumerable<(RolloutId, Metrics)> Noise(SearchState state, Xoshiro256 rng)
    {
        var junk = new Metrics(rng.NextDouble() * 2, -1, 1, 1);
        var scored = state.Scores.Keys.ToArray();
        if (scored.Length > 0) yield return (scored[rng.NextInt(scored.Length)], junk); // duplicate (maybe from an older generation)
        yield return (new RolloutId(state.NextRolloutId + rng.NextInt(5)), junk);      // never proposed
        yield return (new RolloutId(-1 - rng.NextInt(5)), junk);                      // nonsense id
    }

    /// <summary>Event-sourced recovery: fold the persisted events over Initial().</summary>
    public static SearchState Replay(ISearchStrategy strategy, IEnumerable<SearchEvent> events) =>
        events.Aggregate(strategy.Initial(), (s, e) => e switch
        {
            Proposed p => strategy.Apply(s, p.Proposal),
            Observed o => strategy.Observe(s, o.Id, o.Metrics),
            _ => throw new ArgumentException(e.ToString()),
        });

    public static void Shuffle<T>(IList<T> list, Xoshiro256 rng)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    /// <summary>A deterministic pseudo-random accuracy in [0,1) derived from the architecture alone.</summary>
    public static Metrics HashScore(Architecture a)
    {
        var acc = ulong.Parse(a.Hash[..13], NumberStyles.HexNumber, CultureInfo.InvariantCulture) / (double)(1UL << 52);
        return new Metrics(acc, 1 - acc, 0, 0);
    }

    public static Metrics HashScore(Rollout r) => HashScore(r.Architecture);
}

public static class SearchAssert
{
    public static void SameState(SearchState expected, SearchState actual)
    {
        Assert.Equal(expected.Generation, actual.Generation);
        Assert.Equal(expected.Rng, actual.Rng);
        Assert.Equal(expected.NextRolloutId, actual.NextRolloutId);
        Assert.Equal(expected.Pending.AsEnumerable(), actual.Pending.AsEnumerable());
        Assert.Equal(expected.Scores.ToArray(), actual.Scores.ToArray());
        Assert.Equal(expected.Parents.AsEnumerable(), actual.Parents.AsEnumerable());
        Assert.True(expected.Visited.SetEquals(actual.Visited), "visited sets differ");
        Assert.Equal(expected.Finished, actual.Finished);
    }

    public static void SameProposal(Proposal expected, Proposal actual)
    {
        Assert.Equal(expected.Generation, actual.Generation);
        Assert.Equal(expected.RngAfter, actual.RngAfter);
        Assert.Equal(expected.Rollouts.AsEnumerable(), actual.Rollouts.AsEnumerable());
    }

    public static void SameProposals(IReadOnlyList<Proposal> expected, IReadOnlyList<Proposal> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++) SameProposal(expected[i], actual[i]);
    }
}
