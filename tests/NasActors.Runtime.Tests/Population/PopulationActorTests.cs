using Akka.Actor;
using Microsoft.Data.Sqlite;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies;
using NasActors.Core.Training;
using NasActors.Runtime.Population;
using NasActors.Runtime.Serialization;
using NasActors.Runtime.Tests.Support;
using Xunit.Abstractions;
using static NasActors.Runtime.Population.PopulationProtocol;

namespace NasActors.Runtime.Tests.Population;

public sealed class PopulationActorTests(ITestOutputHelper output) : SqliteTestKit(output)
{
    private const string Name = "pop";
    private const string Proposed = "nas.population.generation-proposed.v1";
    private const string Recorded = "nas.population.score-recorded.v1";
    private static readonly string Pid = PopulationProtocol.PersistenceId(Name);
    private readonly SearchSpace _space = Spaces.Tiny();

    private SposEvolution Strategy() => Spaces.Evolution(_space, seed: 11, population: 4, generations: 4);

    private IActorRef Start(int snapshotEvery = 1000, ActorSystem? system = null) =>
        (system ?? Sys).ActorOf(PopulationProtocol.Props(new PopulationProtocol.Settings(Name, snapshotEvery), Strategy()));

    private static Metrics Score(Rollout r) => FakeBackendFactory.ScoreOf(r.Architecture, EvalSplit.Validation);

    private RolloutsResult Rollouts(IActorRef population)
    {
        population.Tell(GetRollouts.Instance, TestActor);
        return ExpectMsg<RolloutsResult>();
    }

    private ScoreRecordedResult Record(IActorRef population, RolloutId id, Metrics m)
    {
        population.Tell(new RecordScore(id, m), TestActor);
        return ExpectMsg<ScoreRecordedResult>(r => r.Id == id);
    }

    private RankingResult Ranking(IActorRef population)
    {
        population.Tell(new GetRanking(1000), TestActor);
        return ExpectMsg<RankingResult>();
    }

    /// <summary>The same strategy driven directly, without actors or a journal: what an uninterrupted search does.</summary>
    private sealed class Pure(ISearchStrategy strategy)
    {
        public SearchState State { get; private set; } = strategy.Initial();

        public Proposal Propose()
        {
            var p = strategy.Propose(State) ?? throw new InvalidOperationException("nothing to propose");
            State = strategy.Apply(State, p);
            return p;
        }

        public void Observe(Rollout r) => State = strategy.Observe(State, r.Id, Score(r));
    }

    private static void SameAs(Pure pure, RolloutsResult actual)
    {
        Assert.Equal(pure.State.Generation, actual.Generation);
        Deep.Equal(pure.State.Unscored.ToList(), actual.Unscored.ToList());
        Deep.Equal(pure.State.Parents.ToList(), actual.Top.ToList());
        Assert.Equal(pure.State.Scores.Count, actual.Scored);
        Assert.Equal(pure.State.Finished, actual.Finished);
    }

    private static void SameAs(Pure pure, RankingResult actual)
    {
        Assert.Equal(pure.State.Generation, actual.Generation);
        Assert.Equal(pure.State.Scores.Count, actual.Scored);
        Deep.Equal(pure.State.Ranked.ToList(), actual.Top.ToList());
    }

    /// <summary>Scores <paramref name="count"/> of the pending rollouts in both the actor and the pure model.</summary>
    private void ScoreSome(IActorRef population, Pure pure, int count)
    {
        foreach (var r in pure.State.Unscored.Take(count).ToList())
        {
            Assert.False(Record(population, r.Id, Score(r)).Duplicate);
            pure.Observe(r);
        }
    }

    [Fact]
    public void PopulationActor_must_propose_generation_0_and_persist_it()
    {
        var population = Start();
        var pure = new Pure(Strategy());
        var expected = pure.Propose();

        var first = Rollouts(population);
        Assert.Equal(0, first.Generation);
        Assert.Equal(4, first.Unscored.Length);
        Deep.Equal(expected.Rollouts.ToList(), first.Unscored.ToList());
        Assert.False(first.Finished);

        // Asking again while the generation is open returns it, without proposing another.
        Deep.Equal(first.Unscored.ToList(), Rollouts(population).Unscored.ToList());
        var events = Journal.Events(Pid);
        var e = Assert.Single(events);
        Assert.Equal(Proposed, e.Manifest);
        Assert.Equal(NasSerializer.Id, e.SerializerId);
        Assert.Equal(4, e.Json.GetProperty("Rollouts").GetArrayLength());
    }

    [Fact]
    public void PopulationActor_must_record_a_score_once_however_often_it_is_reported()
    {
        var population = Start();
        var r0 = Rollouts(population).Unscored[0];
        var m = Score(r0);

        var first = Record(population, r0.Id, m);
        Assert.False(first.Duplicate);
        Assert.Equal(1, first.Scored);
        Assert.False(first.GenerationComplete);
        Assert.Equal(r0.Id, first.Best!.Rollout.Id);

        var again = Record(population, r0.Id, new Metrics(0.999, 0.001, 1, 1));
        Assert.True(again.Duplicate);
        Assert.Equal(1, again.Scored);
        Assert.Equal(m, again.Best!.Metrics);

        Assert.True(Record(population, new RolloutId(999), m).Duplicate); // never proposed

        Assert.Equal(1, Journal.Count(Pid, Recorded));
        var ranked = Assert.Single(Ranking(population).Top);
        Assert.Equal(m, ranked.Metrics);
    }

    [Fact]
    public void PopulationActor_must_propose_the_next_generation_once_all_are_scored()
    {
        var population = Start();
        var pure = new Pure(Strategy());
        pure.Propose();
        var gen0 = Rollouts(population).Unscored;

        ScoreRecordedResult? last = null;
        foreach (var r in gen0)
        {
            Assert.False(Rollouts(population).Unscored.IsEmpty); // still generation 0 until the last score
            last = Record(population, r.Id, Score(r));
            pure.Observe(r);
        }
        Assert.True(last!.GenerationComplete);
        Assert.Equal(0, last.Generation);

        var expected = pure.Propose();
        var gen1 = Rollouts(population);
        Assert.Equal(1, gen1.Generation);
        Deep.Equal(expected.Rollouts.ToList(), gen1.Unscored.ToList());
        SameAs(pure, gen1);
        Assert.DoesNotContain(gen1.Unscored, r => gen0.Any(g => g.Id == r.Id || g.Architecture.Equals(r.Architecture)));
        Assert.Equal(2, Journal.Count(Pid, Proposed));
    }

    [Fact]
    public void PopulationActor_must_finish_after_the_configured_generations_like_the_pure_strategy()
    {
        var population = Start();
        var pure = new Pure(Strategy());
        for (var g = 0; g < 4; g++)
        {
            pure.Propose();
            var rs = Rollouts(population);
            SameAs(pure, rs);
            ScoreSome(population, pure, int.MaxValue);
        }
        var done = Rollouts(population);
        Assert.True(done.Finished);
        Assert.Empty(done.Unscored);
        SameAs(pure, done);
        SameAs(pure, Ranking(population));
        Assert.Equal(4, Journal.Count(Pid, Proposed));
        Assert.Equal(16, Journal.Count(Pid, Recorded));
    }

    [Fact]
    public void PopulationActor_must_recover_its_state_and_propose_what_an_uninterrupted_one_would()
    {
        var population = Start();
        var pure = new Pure(Strategy());
        pure.Propose();
        Rollouts(population);
        ScoreSome(population, pure, 4);
        pure.Propose();
        Rollouts(population);
        ScoreSome(population, pure, 2); // stop in the middle of generation 1

        StopAndWait(population);
        var revived = Start();

        SameAs(pure, Ranking(revived));
        var open = Rollouts(revived);
        SameAs(pure, open);
        Assert.Equal(2, open.Unscored.Length);
        ScoreSome(revived, pure, 2);
        pure.Propose();
        SameAs(pure, Rollouts(revived)); // generation 2 is exactly what the uninterrupted search proposes
        Assert.Equal(3, Journal.Count(Pid, Proposed));
    }

    [Fact]
    public async Task PopulationActor_must_recover_in_a_new_actor_system_over_the_same_files()
    {
        var pure = new Pure(Strategy());
        var timeout = TimeSpan.FromSeconds(10);
        var first = Store.NewSystem("first");
        try
        {
            var population = Start(system: first);
            pure.Propose();
            await population.Ask<RolloutsResult>(GetRollouts.Instance, timeout);
            foreach (var r in pure.State.Unscored.Take(3).ToList())
            {
                await population.Ask<ScoreRecordedResult>(new RecordScore(r.Id, Score(r)), timeout);
                pure.Observe(r);
            }
        }
        finally
        {
            await first.Terminate();
            SqliteConnection.ClearAllPools();
        }

        var second = Store.NewSystem("second");
        try
        {
            var population = Start(system: second);
            SameAs(pure, await population.Ask<RankingResult>(new GetRanking(100), timeout));
            SameAs(pure, await population.Ask<RolloutsResult>(GetRollouts.Instance, timeout));
        }
        finally
        {
            await second.Terminate();
        }
    }

    [Fact]
    public void PopulationActor_must_recover_from_a_snapshot_plus_later_events()
    {
        var population = Start(snapshotEvery: 3);
        var pure = new Pure(Strategy());
        pure.Propose();
        Rollouts(population);          // event 1
        ScoreSome(population, pure, 4); // events 2-5 (snapshot after 3)
        pure.Propose();
        Rollouts(population);          // event 6 (snapshot)
        ScoreSome(population, pure, 1); // event 7

        AwaitCondition(() => Journal.Snapshots(Pid) is [(6, _, _)], TimeSpan.FromSeconds(10)); // the older one is deleted
        var snapshot = Journal.Snapshots(Pid)[0];
        Assert.Equal("nas.population.snapshot.v1", snapshot.Manifest);
        Assert.Equal(NasSerializer.Id, snapshot.SerializerId);

        StopAndWait(population);
        var revived = Start(snapshotEvery: 3);
        SameAs(pure, Ranking(revived));
        SameAs(pure, Rollouts(revived));
        StopAndWait(revived);

        // Without the events the snapshot covers, recovery can only succeed through the snapshot.
        Assert.Equal(6, Journal.DeleteEventsUpTo(Pid, 6));
        var fromSnapshot = Start(snapshotEvery: 3);
        SameAs(pure, Ranking(fromSnapshot));
        SameAs(pure, Rollouts(fromSnapshot));
        ScoreSome(fromSnapshot, pure, 3);
        pure.Propose();
        SameAs(pure, Rollouts(fromSnapshot)); // the RNG state and visited set survived the snapshot
    }
}
