using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Tests.Support;

namespace NasActors.Runtime.Tests.Hosting;

/// <summary>A population strategy (spos-evolution) through the whole runtime: experiment, trainers, SQLite journal, on the fake backend.</summary>
public sealed class ExperimentHostTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempStore _dir = new();
    private readonly ExperimentStore _store;

    public ExperimentHostTests() => _store = new ExperimentStore(_dir.Root);

    public void Dispose() => _dir.Dispose();

    /// <summary>8 supernet steps in rounds of 2, then 3 generations of 4 on the 81-architecture space.</summary>
    internal static string ConfigText(int trainers, long seed = 7, string extra = "") => $$"""
        nas {
          strategy = spos-evolution
          experiment { seed = {{seed}} }
          train { total-steps = 8, steps-per-round = 2 }
          strategies.spos-evolution { population-size = 4, generations = 3, top-k = 2, mutation-count = 1, crossover-count = 1 }
          trainers { devices = [{{string.Join(", ", Enumerable.Repeat("cpu", trainers))}}] }
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
        ExperimentHost.Start(_store, name, settings, factory);

    private Journal JournalOf(string name) => new(_store.JournalPath(name));

    /// <summary>The uninterrupted search, driven directly on the plan with a fake backend of its own.</summary>
    private static PlanStatus Straight(NasSettings settings)
    {
        var f = new FakeBackendFactory(Spaces.Tiny());
        return PlanDriver.Run(settings.CreatePlan(f.Space, f.Costs), f.Create("straight"));
    }

    internal static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within " + Timeout);
            await Task.Delay(20);
        }
    }

    /// <summary>Every proposed rollout got exactly one journaled score.</summary>
    private static void AssertEachRolloutScoredOnce(Journal journal, string name, int expected)
    {
        var events = journal.Events(ExperimentProtocol.PersistenceId(name));
        var proposed = events.Where(e => e.Manifest == "nas.event.generation-proposed.v2")
            .SelectMany(e => e.Json.GetProperty("Rollouts").EnumerateArray().Select(r => r.GetProperty("Id").GetInt32())).ToList();
        var recorded = events.Where(e => e.Manifest == "nas.event.score-recorded.v2")
            .Select(e => e.Json.GetProperty("Id").GetInt32()).ToList();
        Assert.Equal(expected, proposed.Count);
        Assert.Equal(proposed.Count, proposed.Distinct().Count());
        Assert.Equal(proposed.Order(), recorded.Order()); // exactly one score per rollout
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ExperimentHost_must_run_a_search_to_the_result_of_the_plan_driven_directly(int trainers)
    {
        var factory = new FakeBackendFactory(Spaces.Tiny());
        var (name, settings) = Create($"run-{trainers}", trainers);
        var phases = new List<string>();
        var host = ExperimentHost.Start(_store, name, settings, factory, p => { lock (phases) phases.Add(p.Status.Plan.Phase); });
        ExperimentProtocol.Completed done;
        try
        {
            done = await host.Completion.WaitAsync(Timeout);
            Assert.Equal(0, (await host.Status(Timeout)).InFlight);
        }
        finally
        {
            await host.DisposeAsync();
        }

        var rounds = 8 / trainers / 2;
        Deep.Equal(Straight(settings), done.Status.Plan);
        Assert.Equal((name, true, "finished"), (done.Status.Name, done.Status.Plan.Finished, done.Status.Plan.Phase));
        Assert.Equal(new PlanCounter("round", rounds, rounds), done.Status.Plan.Counter("round"));
        Assert.Equal(12, done.Status.Plan.Scored);
        var best = done.Status.Plan.Ranking[0];
        Assert.Equal((best.Rollout.Id, FakeBackendFactory.ScoreOf(best.Rollout.Architecture, EvalSplit.Test)), (done.Status.Plan.Test!.Id, done.Status.Plan.Test.Metrics));
        lock (phases) Assert.Equal(["supernet", "search", "test", "finished"], phases.Distinct());

        var backends = factory.Created.ToList();
        Assert.Equal(trainers, backends.Count);
        Assert.Equal(trainers, factory.Calls.Where(c => c.Op == "create").Select(c => c.ThreadId).Distinct().Count());
        Assert.Equal(trainers * rounds, factory.Count("train"));
        Assert.Equal(trainers == 1 ? 0 : rounds, factory.Count("merge"));
        Assert.Equal(12 + 1, factory.Count("score"));
        Assert.True(backends.All(b => b.Disposed));

        var journal = JournalOf(name);
        AssertEachRolloutScoredOnce(journal, name, 12);
        var exp = journal.Events(ExperimentProtocol.PersistenceId(name));
        Assert.Equal("nas.experiment.started.v2", exp[0].Manifest);
        Assert.Equal(rounds, exp.Count(e => e.Manifest == "nas.event.round-completed.v2"));
        Assert.Equal(3, exp.Count(e => e.Manifest == "nas.event.generation-proposed.v2"));
        Assert.Equal(["nas.event.search-completed.v2", "nas.event.test-completed.v2"], exp.TakeLast(2).Select(e => e.Manifest));
    }

    [Fact]
    public void SposEvolutionPlan_must_propose_what_its_seed_says_however_many_trainers_there_are()
    {
        static IEnumerable<string> Proposed(NasSettings s) => Straight(s).Ranking.Select(r => r.Rollout.Architecture.CanonicalKey);
        var (_, a) = Create("first", 1, seed: 99);
        var (_, b) = Create("second", 2, seed: 99);
        var (_, c) = Create("third", 1, seed: 100);
        // The number of trainers changes how the supernet is trained (data-parallel slots), not what is proposed.
        Assert.Equal(Proposed(a), Proposed(b));
        Assert.NotEqual(Proposed(a), Proposed(c));
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
            // Everything reported before the blocked call reaches the journal, so the resumed host must redo exactly
            // the blocked call and what follows.
            var manifest = blockOp == "train" ? "nas.event.round-completed.v2" : "nas.event.score-recorded.v2";
            var live = JournalOf(name);
            await Until(() => live.Count(ExperimentProtocol.PersistenceId(name), manifest) >= allowed);
            Assert.Equal(allowed, live.Count(ExperimentProtocol.PersistenceId(name), manifest));
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
            Deep.Equal(Straight(settings), done.Status.Plan);
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
        Assert.Single(exp, e => e.Manifest == "nas.experiment.started.v2");
        Assert.Equal(4, exp.Count(e => e.Manifest == "nas.event.slice-completed.v2"));
        Assert.Equal([0, 1, 2, 3], exp.Where(e => e.Manifest == "nas.event.round-completed.v2").Select(e => e.Json.GetProperty("Round").GetInt32()));
        Assert.Single(exp, e => e.Manifest == "nas.event.search-completed.v2");
        Assert.Single(exp, e => e.Manifest == "nas.event.test-completed.v2");
    }

    [Fact]
    public async Task ExperimentHost_must_fail_clearly_when_the_journal_cannot_be_replayed()
    {
        var (name, settings) = Create("corrupt", 1);
        var factory = new FakeBackendFactory(Spaces.Tiny());
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        factory.Hook = (op, ct) =>
        {
            if (op != "train") return;
            blocked.TrySetResult();
            Task.Delay(System.Threading.Timeout.Infinite, ct).Wait(CancellationToken.None);
        };
        var host = Start(name, settings, factory);
        try { await blocked.Task.WaitAsync(Timeout); }
        finally { await host.DisposeAsync(); }

        JournalOf(name).SetManifest(ExperimentProtocol.PersistenceId(name), 1, "nas.from-the-future.v9");

        var again = Start(name, settings, new FakeBackendFactory(Spaces.Tiny()));
        try
        {
            var e = await Assert.ThrowsAsync<ExperimentFailedException>(() => again.Completion.WaitAsync(Timeout));
            Assert.True(e.UserError);
            Assert.Contains($"the journal of experiment '{name}' cannot be replayed", e.Message);
            Assert.Contains("nas.from-the-future.v9", e.Message);
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
    public void ExperimentHost_must_refuse_limits_no_architecture_meets_before_creating_anything()
    {
        var (name, settings) = Create("limits", 1, extra: "nas.search.max-flops = 5");
        var e = Assert.Throws<NasUserException>(() => Start(name, settings, new FakeBackendFactory(Spaces.Tiny())));
        Assert.Contains("nas.search.max-flops", e.Message);
        Assert.False(File.Exists(_store.JournalPath(name)));
    }

    [Fact]
    public async Task ExperimentHost_must_retrain_the_best_architecture_after_the_test_when_asked()
    {
        var factory = new FakeBackendFactory(Spaces.Tiny());
        var (name, settings) = Create("retrain", 2, extra: "nas.retrain.epochs = 3\nnas.retrain.rounds-per-epoch = 2");
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
        var best = done.Status.Plan.Ranking[0].Rollout;
        var retrained = done.Status.Plan.Retrained;
        Assert.NotNull(retrained);
        Assert.Equal((best.Id, 3, FakeBackendFactory.RetrainOf(best.Architecture, 3)), (retrained!.Id, retrained.Epochs, retrained.Metrics));
        // Two trainers: each round of an epoch is two slots, merged.
        Assert.Equal((12, 6, 1), (factory.Count("retrain"), factory.Count("retrain-merge"), factory.Count("retrain-test"))); // 3 epochs x 2 rounds x 2 slots
        Deep.Equal(Straight(settings), done.Status.Plan);
        var exp = JournalOf(name).Events(ExperimentProtocol.PersistenceId(name));
        Assert.Equal(["nas.event.retrain-epoch-completed.v2", "nas.event.retrain-result.v2"], exp.TakeLast(2).Select(e => e.Manifest));

        // Resuming the finished experiment does not retrain again.
        var again = new FakeBackendFactory(Spaces.Tiny());
        var second = Start(name, settings, again);
        try
        {
            Assert.Equal("finished", (await second.Completion.WaitAsync(Timeout)).Status.Plan.Phase);
        }
        finally
        {
            await second.DisposeAsync();
        }
        Assert.Equal(0, again.Count("retrain"));
    }
}
