using System.Collections.Immutable;
using Akka.Actor;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.Strategies;
using NasActors.Runtime.Serialization;

namespace NasActors.Runtime.Population;

/// <summary>
/// The proposer's protocol (SPOS evolution or random search). The population persists every generation it proposes
/// (with the RNG state after drawing it) and every score it records, so after a crash it proposes exactly what it
/// would have, and a rollout's score is recorded once however often it is reported.
/// </summary>
public static class PopulationProtocol
{
    public sealed record Settings(string Name, int SnapshotEvery);

    public static Props Props(Settings settings, ISearchStrategy strategy) =>
        Akka.Actor.Props.Create(() => new PopulationActor(settings, strategy));

    public static string PersistenceId(string name) => "population-" + name;

    // ---- commands ----

    /// <summary>The current generation's unscored rollouts; proposes (and persists) the next generation when the current one is complete.</summary>
    public sealed record GetRollouts : INasSerializable
    {
        public static readonly GetRollouts Instance = new();
    }

    /// <summary>Records a validation score; idempotent by rollout id.</summary>
    public sealed record RecordScore(RolloutId Id, Metrics Metrics) : INasSerializable;

    /// <summary>The best <paramref name="TopK"/> scored rollouts and progress.</summary>
    public sealed record GetRanking(int TopK) : INasSerializable;

    // ---- replies ----

    public sealed record RolloutsResult(int Generation, ImmutableArray<Rollout> Unscored, bool Finished, ImmutableArray<ScoredRollout> Top, int Scored) : INasSerializable;

    public sealed record ScoreRecordedResult(RolloutId Id, bool Duplicate, bool GenerationComplete, bool Finished, int Generation, int Scored, ScoredRollout? Best) : INasSerializable;

    public sealed record RankingResult(string Strategy, int Generation, int Scored, bool Finished, ImmutableArray<ScoredRollout> Top) : INasSerializable;

    // ---- journal events and snapshot ----

    public sealed record GenerationProposed(int Generation, ImmutableArray<Rollout> Rollouts, RngState RngAfter) : INasSerializable;
    public sealed record ScoreRecorded(RolloutId Id, Metrics Metrics) : INasSerializable;

    /// <summary>The whole <see cref="SearchState"/>, flattened for JSON.</summary>
    public sealed record Snapshot(
        int Generation, RngState Rng, int NextRolloutId, ImmutableArray<Rollout> Pending, ImmutableArray<ScoredRollout> Scores,
        ImmutableArray<ScoredRollout> Parents, ImmutableArray<string> Visited, bool Finished) : INasSerializable
    {
        public static Snapshot From(SearchState s) => new(s.Generation, s.Rng, s.NextRolloutId, s.Pending, [.. s.Scores.Values],
            s.Parents, [.. s.Visited.Order(StringComparer.Ordinal)], s.Finished);

        public SearchState ToState() => new(Generation, Rng, NextRolloutId, Pending,
            Scores.ToImmutableSortedDictionary(x => x.Rollout.Id, x => x), Parents, Visited.ToImmutableHashSet(StringComparer.Ordinal), Finished);
    }
}
