using System.Collections.Immutable;
using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.Strategies;
using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Population;
using NasActors.Runtime.Tests.Support;

namespace NasActors.Runtime.Tests.Hosting;

public sealed class ExperimentHostTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempStore _dir = new();
    private readonly ExperimentStore _store;

    public ExperimentHostTests() => _store = new ExperimentStore(_dir.Root);

    public void Dispose() => _dir.Dispose();

    /// <summary>8 supernet steps in rounds of 2, then 3 generations of 4 on the 81-architecture space.</summary>
    private static string ConfigText(int trainers, long seed = 7, string extra = "") => $$"""
        nas {
          experiment { strategy = spos, seed = {{seed}} }
          train { total-steps = 8, steps-per-round = 2 }
          search { population-size = 4, generations = 3, top-k = 2, mutation-count = 1, crossover-count = 1 }
          trainers { devices = [{{string.Join(", ", Enumerable.Repeat("cpu", trainers))}}] }
          runtime { snapshot-every = 5 }
          export { top-k = 20 }
        }
        {{extra}}
        """;

    private (string Name, NasSettings Settings) Create(string name, int trainers, long seed = 7, string extra = "")
    {
        var text = ConfigText(trainers, seed, extra);
        _store.Create(name, text);
        return (name, NasSettings.Create(NasConfig.Parse(text, _store.Source(name)), _store.Source(name)));
    }

    private ExperimentHost Start(string name, NasSettings settings, FakeBackendFactory factory) =>
        ExperimentHost.Start(_store, name, settings, factory.Space, factory.Costs, factory);

    private Journal JournalOf(string name) => new(_store.JournalPath(name), _store.SnapshotPath(name));

    /// <summary>The uninterrupted search, driven directly on the pure strategy with the fake's scores.</summary>
    private static ImmutableArray<ScoredRollout> PureRanking(NasSettings settings, FakeBackendFactory f)
    {
        var strategy = settings.CreateStrategy(f.Space, f.Costs);
        var state = strategy.Initial();
        while (strategy.Propose(state) is { } p)
        {
            state = strategy.Apply(state, p);
            foreach (var r in state.Unscored.ToList())
                state = strategy.Observe(state, r.Id, FakeBackendFactory.ScoreOf(r.Architecture, EvalSplit.Validation));
        }
        Assert.True(state.Finished);
        return state.Ranked;
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within " + Timeout);
            await Task.Delay(20);
        }
    }

    private static void AssertEachRolloutScoredOnce(Journal journal, string name, int expected)
    {
        var events = journal.Events(PopulationProtocol.PersistenceId(name));
        var proposed = events.Where(e => e.Manifest == "nas.population.generation-proposed.v1")
            .SelectMany(e => e.Json.GetProperty("Rollouts").EnumerateArray().Select(r => r.GetProperty("Id").GetInt32())).ToList();
        var recorded = events.Where(e => e.Manifest == "nas.population.score-recorded.v1")
            .Select(e => e.Json.GetProperty("Id").GetInt32()).ToList();
        Assert.Equal(expected, proposed.Count);
        Assert.Equal(proposed.Count, proposed.Distinct().Count());
        Assert.Equal(proposed.Order(), recorded.Order()); // exactly one score per rollout
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ExperimentHost_must_run_a_search_to_completion(int trainers)
    {
        var factory = new FakeBackendFactory(Spaces.Tiny());
        var (name, settings) = Create($"run-{trainers}", trainers);
        var progress = new List<string>();
        var host = ExperimentHost.Start(_store, name, settings, factory.Space, factory.Costs, factory, p => { lock (progress) progress.Add(p.Line); });
        try
        {
            var done = await host.Completion.WaitAsync(Timeout);
            var ranking = await host.Ranking(20, Timeout);
            var expected = PureRanking(settings, factory);

            Assert.Equal(ExperimentProtocol.Phase.Finished, done.Status.Phase);
            Assert.Equal(8 / trainers / 2, done.Status.RoundsDone);
            Assert.True(ranking.Finished);
            Assert.Equal(12, ranking.Scored);
            Deep.Equal(expected.ToList(), ranking.Top.ToList());
            var best = expected[0];
            Assert.Equal(best.Rollout.Id, done.Status.Top[0].Rollout.Id);
            Assert.Equal(FakeBackendFactory.ScoreOf(best.Rollout.Architecture, EvalSplit.Test), done.Status.TestMetrics);
            lock (progress) Assert.Contains(progress, l => l.StartsWith("search", StringComparison.Ordinal));

            var backends = factory.Created.ToList();
            Assert.Equal(trainers, backends.Count);
            Assert.Equal(trainers, factory.Calls.Where(c => c.Op == "create").Select(c => c.ThreadId).Distinct().Count());
            Assert.Equal(trainers == 1 ? 0 : 8 / trainers / 2, factory.Count("merge"));
            Assert.Equal(12 + 1, factory.Count("score"));
        }
        finally
        {
            await host.DisposeAsync();
        }

        var journal = JournalOf(name);
        AssertEachRolloutScoredOnce(journal, name, 12);
        var exp = journal.Events(ExperimentProtocol.PersistenceId(name));
        Assert.Equal(8 / trainers / 2, exp.Count(e => e.Manifest == "nas.experiment.round-completed.v1"));
        Assert.Single(exp, e => e.Manifest == "nas.experiment.search-completed.v1");
        Assert.Single(exp, e => e.Manifest == "nas.experiment.test-completed.v1");
        Assert.True(factory.Created.All(b => b.Disposed));
    }

    [Fact]
    public async Task ExperimentHost_must_give_the_same_result_for_the_same_seed()
    {
        var results = new List<(ExperimentProtocol.Completed Done, PopulationProtocol.RankingResult Ranking)>();
        foreach (var name in new[] { "first", "second" })
        {
            var factory = new FakeBackendFactory(Spaces.Tiny());
            var (_, settings) = Create(name, 1, seed: 99);
            var host = Start(name, settings, factory);
            try
            {
                var done = await host.Completion.WaitAsync(Timeout);
                results.Add((done, await host.Ranking(20, Timeout)));
            }
            finally
            {
                await host.DisposeAsync();
            }
        }
        Deep.Equal(results[0].Ranking.Top.ToList(), results[1].Ranking.Top.ToList());
        Assert.Equal(results[0].Done.Status.SupernetCheckpoint, results[1].Done.Status.SupernetCheckpoint);
        Assert.Equal(results[0].Done.Status.TestMetrics, results[1].Done.Status.TestMetrics);

        // A different seed searches differently.
        var other = new FakeBackendFactory(Spaces.Tiny());
        var (_, otherSettings) = Create("third", 1, seed: 100);
        Assert.NotEqual(results[0].Ranking.Top.Select(s => s.Rollout.Architecture),
            PureRanking(otherSettings, other).Select(s => s.Rollout.Architecture));
    }

    [Theory]
    [InlineData("train", 2)]  // stopped in supernet round 2
    [InlineData("score", 6)]  // stopped in generation 1 of the search
    public async Task ExperimentHost_must_resume_after_being_disposed_mid_run(string blockOp, int allowed)
    {
        var (name, settings) = Create("resume", 1);
        var stuck = new FakeBackendFactory(Spaces.Tiny());
        var calls = 0;
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        stuck.Hook = (op, ct) =>
        {
            if (op != blockOp || Interlocked.Increment(ref calls) <= allowed) return;
            blocked.TrySetResult();
            Task.Delay(System.Threading.Timeout.Infinite, ct).Wait(CancellationToken.None); // until the host stops
        };
        var first = Start(name, settings, stuck);
        try
        {
            await blocked.Task.WaitAsync(Timeout);
            // Everything reported before the blocked call is in the journal (the population records scores
            // asynchronously), so the resumed host must redo exactly the blocked call and what follows.
            var (pid, manifest, count) = blockOp == "train"
                ? (ExperimentProtocol.PersistenceId(name), "nas.experiment.round-completed.v1", allowed)
                : (PopulationProtocol.PersistenceId(name), "nas.population.score-recorded.v1", allowed);
            var live = JournalOf(name);
            await Until(() => live.Count(pid, manifest) >= count);
            Assert.Equal(count, live.Count(pid, manifest));
            Assert.False(first.Completion.IsCompleted);
        }
        finally
        {
            await first.DisposeAsync();
        }
        Assert.True(stuck.Created.All(b => b.Disposed));

        var factory = new FakeBackendFactory(Spaces.Tiny());
        var second = Start(name, settings, factory);
        try
        {
            var done = await second.Completion.WaitAsync(Timeout);
            Assert.Equal(ExperimentProtocol.Phase.Finished, done.Status.Phase);
            Deep.Equal(PureRanking(settings, factory).ToList(), (await second.Ranking(20, Timeout)).Top.ToList());
        }
        finally
        {
            await second.DisposeAsync();
        }

        // Finished work was not redone: the resumed host trained only the remaining rounds / scored only the rest.
        if (blockOp == "train") Assert.Equal(4 - allowed, factory.Count("train"));
        else Assert.Equal(12 - allowed + 1, factory.Count("score"));

        var journal = JournalOf(name);
        AssertEachRolloutScoredOnce(journal, name, 12);
        var exp = journal.Events(ExperimentProtocol.PersistenceId(name));
        Assert.Single(exp, e => e.Manifest == "nas.experiment.started.v1");
        Assert.Equal(4, exp.Count(e => e.Manifest == "nas.experiment.slice-completed.v1"));
        Assert.Equal([0, 1, 2, 3], exp.Where(e => e.Manifest == "nas.experiment.round-completed.v1").Select(e => e.Json.GetProperty("Round").GetInt32()));
        Assert.Single(exp, e => e.Manifest == "nas.experiment.search-completed.v1");
        Assert.Single(exp, e => e.Manifest == "nas.experiment.test-completed.v1");
    }

    [Theory]
    [InlineData("population")]
    [InlineData("experiment")]
    public async Task ExperimentHost_must_fail_clearly_when_a_journal_cannot_be_replayed(string which)
    {
        // Interrupted in the search phase, so the resumed experiment needs both journals.
        var (name, settings) = Create("corrupt", 1);
        var factory = new FakeBackendFactory(Spaces.Tiny());
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scores = 0;
        factory.Hook = (op, ct) =>
        {
            if (op != "score" || Interlocked.Increment(ref scores) <= 2) return;
            blocked.TrySetResult();
            Task.Delay(System.Threading.Timeout.Infinite, ct).Wait(CancellationToken.None);
        };
        var host = Start(name, settings, factory);
        try
        {
            await blocked.Task.WaitAsync(Timeout);
            var live = JournalOf(name);
            await Until(() => live.Count(PopulationProtocol.PersistenceId(name), "nas.population.score-recorded.v1") >= 2);
        }
        finally { await host.DisposeAsync(); }

        var pid = which == "population" ? PopulationProtocol.PersistenceId(name) : ExperimentProtocol.PersistenceId(name);
        var journal = JournalOf(name);
        journal.DeleteSnapshots(pid); // replay from the first event, through the bad one
        journal.SetManifest(pid, 2, "nas.from-the-future.v9");

        var again = Start(name, settings, new FakeBackendFactory(Spaces.Tiny()));
        try
        {
            var e = await Assert.ThrowsAsync<ExperimentFailedException>(() => again.Completion.WaitAsync(Timeout));
            Assert.True(e.UserError);
            Assert.Contains(which == "population" ? "population" : "journal", e.Message);
        }
        finally
        {
            await again.DisposeAsync();
        }
    }

    [Fact]
    public async Task ExperimentHost_must_fail_with_a_user_error_when_the_device_cannot_be_used()
    {
        var factory = new FakeBackendFactory(Spaces.Tiny())
        {
            Hook = (op, _) => { if (op == "create") throw new NasUserException("cuda:0 needs the CUDA build of NasActors; use cpu"); },
        };
        var (name, settings) = Create("bad-device", 1);
        var host = Start(name, settings, factory);
        try
        {
            var e = await Assert.ThrowsAsync<ExperimentFailedException>(() => host.Completion.WaitAsync(Timeout));
            Assert.True(e.UserError);
            Assert.Contains("CUDA build", e.Message);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task ExperimentHost_must_answer_read_only_after_completion_without_handing_out_work()
    {
        var factory = new FakeBackendFactory(Spaces.Tiny());
        var (name, settings) = Create("done", 1);
        PopulationProtocol.RankingResult ranking;
        var host = Start(name, settings, factory);
        try
        {
            await host.Completion.WaitAsync(Timeout);
            ranking = await host.Ranking(5, Timeout);
        }
        finally
        {
            await host.DisposeAsync();
        }

        var ro = ExperimentHost.OpenReadOnly(_store, name, settings, factory.Space, factory.Costs);
        try
        {
            var status = await ro.Status(Timeout);
            Assert.Equal(ExperimentProtocol.Phase.Finished, status.Phase);
            Assert.Equal(0, status.Trainers);
            Deep.Equal(ranking.Top.ToList(), (await ro.Ranking(5, Timeout)).Top.ToList());
        }
        finally
        {
            await ro.DisposeAsync();
        }
    }

    [Fact]
    public async Task ExperimentHost_must_retrain_the_best_architecture_after_the_test_when_asked()
    {
        var factory = new FakeBackendFactory(Spaces.Tiny());
        var (name, settings) = Create("retrain", 2, extra: "nas.retrain.steps = 500");
        var host = Start(name, settings, factory);
        ExperimentProtocol.Completed done;
        try
        {
            done = await host.Completion.WaitAsync(Timeout);
        }
        finally
        {
            await host.DisposeAsync();
        }
        var best = done.Status.Top[0].Rollout;
        Assert.NotNull(done.Status.Retrained);
        Assert.Equal(best.Id, done.Status.Retrained!.Id);
        Assert.Equal(500, done.Status.Retrained.Steps);
        Assert.Equal(FakeBackendFactory.RetrainOf(best.Architecture, 500), done.Status.Retrained.Metrics);
        Assert.Equal(1, factory.Count("retrain"));
        var exp = JournalOf(name).Events(ExperimentProtocol.PersistenceId(name));
        Assert.Equal(["nas.experiment.test-completed.v1", "nas.experiment.retrain-completed.v1"], exp.TakeLast(2).Select(e => e.Manifest));

        // Resuming the finished experiment does not retrain again.
        var again = new FakeBackendFactory(Spaces.Tiny());
        var second = Start(name, settings, again);
        try
        {
            Assert.Equal(ExperimentProtocol.Phase.Finished, (await second.Completion.WaitAsync(Timeout)).Status.Phase);
        }
        finally
        {
            await second.DisposeAsync();
        }
        Assert.Equal(0, again.Count("retrain"));
    }

    [Fact]
    public void Retrain_steps_must_enter_the_fingerprint_only_when_on()
    {
        var (_, off) = Create("fp-off", 1);
        var (_, zero) = Create("fp-zero", 1, extra: "nas.retrain.steps = 0");
        var (_, on) = Create("fp-on", 1, extra: "nas.retrain.steps = 10");
        Assert.Equal(off.ResultHash, zero.ResultHash);
        Assert.NotEqual(off.ResultHash, on.ResultHash);
    }
}
