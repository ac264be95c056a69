using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Controller;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Population;
using NasActors.Runtime.Tests.Support;

namespace NasActors.Runtime.Tests.Hosting;

/// <summary>ENAS through the whole runtime (experiment, controller, trainers, SQLite journal) on the fake backend and policy.</summary>
public sealed class ExperimentHostEnasTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempStore _dir = new();
    private readonly ExperimentStore _store;

    public ExperimentHostEnasTests() => _store = new ExperimentStore(_dir.Root);

    public void Dispose() => _dir.Dispose();

    /// <summary>8 shared steps per slot in rounds of 2 = 4 rounds, 2 epochs of 2 rounds; 2 updates of 3 samples per epoch; derive 5.</summary>
    private (string Name, NasSettings Settings) Create(string name, int trainers, long seed = 7)
    {
        var text = $$"""
            nas {
              experiment { strategy = enas, seed = {{seed}} }
              train { total-steps = {{8 * trainers}}, steps-per-round = 2 }
              enas {
                epochs = 2
                derive-samples = 5
                controller { steps-per-epoch = 2, samples-per-update = 3, reward-images = 64 }
              }
              trainers { devices = [{{string.Join(", ", Enumerable.Repeat("cpu", trainers))}}] }
              runtime { snapshot-every = 4 }
              export { top-k = 20 }
            }
            """;
        _store.Create(name, text);
        return (name, NasSettings.Create(NasConfig.Parse(text, _store.Source(name)), _store.Source(name)));
    }

    private ExperimentHost Start(string name, NasSettings settings, FakeBackendFactory factory) =>
        ExperimentHost.Start(_store, name, settings, factory.Space, factory.Costs, factory);

    private Journal JournalOf(string name) => new(_store.JournalPath(name), _store.SnapshotPath(name));

    private static async Task<(ExperimentProtocol.Completed Done, PopulationProtocol.RankingResult Ranking)> RunToEnd(ExperimentHost host)
    {
        try
        {
            var done = await host.Completion.WaitAsync(Timeout);
            return (done, await host.Ranking(20, Timeout));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>Every sampled rollout got exactly one reward (training batches and the derive batch alike).</summary>
    private static void AssertEachSampleRewardedOnce(Journal journal, string name, int expected)
    {
        var events = journal.Events(ControllerProtocol.PersistenceId(name));
        var sampled = events.Where(e => e.Manifest == "nas.controller.batch-sampled.v1")
            .SelectMany(e => e.Json.GetProperty("Rollouts").EnumerateArray().Select(r => r.GetProperty("Id").GetInt32())).ToList();
        var rewarded = events.Where(e => e.Manifest == "nas.controller.reward-recorded.v1").Select(e => e.Json.GetProperty("Id").GetInt32()).ToList();
        Assert.Equal(expected, sampled.Count);
        Assert.Equal(sampled.Distinct().Order(), rewarded.Order());
        Assert.Equal(sampled.Count, rewarded.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ExperimentHost_must_alternate_shared_training_and_controller_updates_to_a_derived_result(int trainers)
    {
        var factory = new FakeBackendFactory(Spaces.Tiny());
        var (name, settings) = Create($"enas-{trainers}", trainers);
        var progress = new List<string>();
        var host = ExperimentHost.Start(_store, name, settings, factory.Space, factory.Costs, factory, p => { lock (progress) progress.Add(p.Line); });
        var (done, ranking) = await RunToEnd(host);

        Assert.Equal(ExperimentProtocol.Phase.Finished, done.Status.Phase);
        Assert.Equal(4, done.Status.RoundsDone);
        Assert.Equal(2, done.Status.ControllerEpochsDone);
        Assert.Equal("enas", ranking.Strategy);
        Assert.Equal(5, ranking.Scored);
        Assert.Equal(4, ranking.Generation); // policy updates
        Assert.Equal(ranking.Top[0].Rollout.Id, done.Status.Top[0].Rollout.Id);
        Assert.Equal(FakeBackendFactory.ScoreOf(ranking.Top[0].Rollout.Architecture, EvalSplit.Test), done.Status.TestMetrics);
        Assert.Equal(2 * 2 * 3, factory.Count("reward")); // epochs x updates x samples, each on its own minibatch
        Assert.Equal(5 + 1, factory.Count("score"));
        Assert.Equal(4, factory.Policies.Count("update"));
        lock (progress)
        {
            Assert.Contains(progress, l => l.StartsWith("controller epoch 2/2", StringComparison.Ordinal));
            Assert.Contains(progress, l => l.StartsWith("shared    epoch 1/2", StringComparison.Ordinal));
            Assert.Contains(progress, l => l.StartsWith("derive", StringComparison.Ordinal));
        }

        var journal = JournalOf(name);
        AssertEachSampleRewardedOnce(journal, name, 2 * 2 * 3 + 5);
        var exp = journal.Events(ExperimentProtocol.PersistenceId(name));
        Assert.Equal([0, 1, 2], exp.Where(e => e.Manifest == "nas.experiment.policy-adopted.v1").Select(e => e.Json.GetProperty("Epoch").GetInt32()));
        // Epoch 1 trains with the policy learned in epoch 0: adoption sits between rounds 1 and 2.
        var order = exp.Select(e => e.Manifest switch
        {
            "nas.experiment.round-completed.v1" => "R" + e.Json.GetProperty("Round").GetInt32(),
            "nas.experiment.policy-adopted.v1" => "P" + e.Json.GetProperty("Epoch").GetInt32(),
            _ => null,
        }).OfType<string>();
        Assert.Equal(["P0", "R0", "R1", "P1", "R2", "R3", "P2"], order);
        Assert.True(factory.Created.All(b => b.Disposed));
    }

    [Theory]
    [InlineData("train", 3)]   // stopped during shared training of epoch 1
    [InlineData("reward", 7)]  // stopped in the middle of the second epoch's first controller batch
    [InlineData("score", 2)]   // stopped while deriving
    public async Task ExperimentHost_must_resume_ENAS_to_the_result_of_an_uninterrupted_run(string blockOp, int allowed)
    {
        var (straightName, straightSettings) = Create("straight", 1);
        var (straight, straightRanking) = await RunToEnd(Start(straightName, straightSettings, new FakeBackendFactory(Spaces.Tiny())));

        var (name, settings) = Create("resumed", 1);
        var stuck = new FakeBackendFactory(Spaces.Tiny());
        var calls = 0;
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        stuck.Hook = (op, ct) =>
        {
            if (op != blockOp || Interlocked.Increment(ref calls) <= allowed) return;
            blocked.TrySetResult();
            Task.Delay(System.Threading.Timeout.Infinite, ct).Wait(CancellationToken.None);
        };
        var first = Start(name, settings, stuck);
        try
        {
            await blocked.Task.WaitAsync(Timeout);
            await Task.Delay(200); // let results reported before the block reach the journal
        }
        finally
        {
            await first.DisposeAsync();
        }

        var (done, ranking) = await RunToEnd(Start(name, settings, new FakeBackendFactory(Spaces.Tiny())));
        Assert.Equal(ExperimentProtocol.Phase.Finished, done.Status.Phase);
        Deep.Equal(straightRanking.Top.ToList(), ranking.Top.ToList());
        Assert.Equal(straight.Status.Policy, done.Status.Policy);
        Assert.Equal(straight.Status.SupernetCheckpoint, done.Status.SupernetCheckpoint);
        Assert.Equal(straight.Status.TestMetrics, done.Status.TestMetrics);
        AssertEachSampleRewardedOnce(JournalOf(name), name, 2 * 2 * 3 + 5);
    }
}
