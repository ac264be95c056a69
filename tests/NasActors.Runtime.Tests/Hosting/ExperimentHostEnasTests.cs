using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Tests.Support;

namespace NasActors.Runtime.Tests.Hosting;

/// <summary>
/// ENAS through the whole runtime (one experiment, trainers, SQLite journal) on the fake backend, whose
/// <see cref="IPolicyBackend"/> capability is the fake policy: the policy's work runs on trainers like any other.
/// </summary>
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
              space = enas-micro
              strategy = enas-rl
              experiment { seed = {{seed}} }
              train { total-steps = {{8 * trainers}}, steps-per-round = 2 }
              strategies.enas-rl {
                epochs = 2
                derive-samples = 5
                controller { steps-per-epoch = 2, samples-per-update = 3, reward-images = 64 }
              }
              trainers { devices = [{{string.Join(", ", Enumerable.Repeat("cpu", trainers))}}] }
              export { top-k = 20 }
            }
            """;
        _store.Create(name, text);
        return (name, NasSettings.Create(NasConfig.Parse(text, _store.Source(name)), _store.Source(name)));
    }

    private ExperimentHost Start(string name, NasSettings settings, FakeBackendFactory factory) =>
        ExperimentHost.Start(_store, name, settings, factory);

    private Journal JournalOf(string name) => new(_store.JournalPath(name));

    private static PlanStatus Straight(NasSettings settings)
    {
        var f = new FakeBackendFactory(Spaces.Tiny());
        return PlanDriver.Run(settings.CreatePlan(f.Space, f.Costs), f.Create("straight"));
    }

    private static async Task<ExperimentProtocol.Completed> RunToEnd(ExperimentHost host)
    {
        try
        {
            return await host.Completion.WaitAsync(Timeout);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>Every sampled rollout got exactly one reward (training batches and the derive batch alike).</summary>
    private static void AssertEachSampleRewardedOnce(Journal journal, string name, int expected)
    {
        var events = journal.Events(ExperimentProtocol.PersistenceId(name));
        var sampled = events.Where(e => e.Manifest == "nas.event.batch-sampled.v2")
            .SelectMany(e => e.Json.GetProperty("Rollouts").EnumerateArray().Select(r => r.GetProperty("Id").GetInt32())).ToList();
        var rewarded = events.Where(e => e.Manifest == "nas.event.reward-recorded.v2").Select(e => e.Json.GetProperty("Id").GetInt32()).ToList();
        Assert.Equal(expected, sampled.Count);
        Assert.Equal(sampled.Count, sampled.Distinct().Count());
        Assert.Equal(sampled.Order(), rewarded.Order());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ExperimentHost_must_alternate_shared_training_and_controller_updates_to_a_derived_result(int trainers)
    {
        var factory = new FakeBackendFactory(Spaces.Tiny());
        var (name, settings) = Create($"enas-{trainers}", trainers);
        var phases = new List<string>();
        var done = await RunToEnd(ExperimentHost.Start(_store, name, settings, factory, p => { lock (phases) phases.Add(p.Status.Plan.Phase); }));

        var plan = done.Status.Plan;
        Deep.Equal(Straight(settings), plan);
        Assert.Equal(("enas-rl", "finished", true), (plan.Strategy, plan.Phase, plan.Finished));
        Assert.Equal(new PlanCounter("round", 4, 4), plan.Counter("round"));
        Assert.Equal(new PlanCounter("epoch", 2, 2), plan.Counter("epoch"));
        Assert.Equal(new PlanCounter("controller_step", 4, 4), plan.Counter("controller_step"));
        Assert.Equal(new PlanCounter("derived", 5, 5), plan.Counter("derived"));
        Assert.Equal(5, plan.Scored);
        Assert.Equal(plan.Ranking[0].Rollout.Id, plan.Test!.Id);
        Assert.Equal(FakeBackendFactory.ScoreOf(plan.Ranking[0].Rollout.Architecture, EvalSplit.Test), plan.Test.Metrics);
        Assert.Equal(2 * 2 * 3, factory.Count("reward")); // epochs x updates x samples, each on its own minibatch
        Assert.Equal(5 + 1, factory.Count("score"));
        var policy = factory.Policies!;
        Assert.Equal((1, 2 * 2 + 1, 4), (policy.Count("init"), policy.Count("sample"), policy.Count("update")));
        Assert.All(policy.Calls, c => Assert.StartsWith("trainer-", c.ThreadName)); // the policy runs on trainers
        // (Progress is reported once something is journaled: the policy's creation already moves on to shared training.)
        lock (phases) Assert.Equal(["shared", "controller", "shared", "controller", "derive", "test", "finished"],
            phases.Where((p, i) => i == 0 || phases[i - 1] != p));

        var journal = JournalOf(name);
        AssertEachSampleRewardedOnce(journal, name, 2 * 2 * 3 + 5);
        var order = journal.Events(ExperimentProtocol.PersistenceId(name)).Select(e => e.Manifest switch
        {
            "nas.event.policy-initialized.v2" => "P",
            "nas.event.round-completed.v2" => "R" + e.Json.GetProperty("Round").GetInt32(),
            "nas.event.policy-updated.v2" => "U" + e.Json.GetProperty("Step").GetInt32(),
            "nas.event.search-completed.v2" => "S",
            "nas.event.test-completed.v2" => "T",
            _ => null,
        }).OfType<string>();
        // Epoch 1 trains the shared weights on paths of the policy learned in epoch 0.
        Assert.Equal(["P", "R0", "R1", "U1", "U2", "R2", "R3", "U3", "U4", "S", "T"], order);
        Assert.True(factory.Created.All(b => b.Disposed));
    }

    [Theory]
    [InlineData("train", 3)]   // stopped during shared training of epoch 1
    [InlineData("reward", 7)]  // stopped in the middle of the second epoch's first controller batch
    [InlineData("score", 2)]   // stopped while deriving
    public async Task ExperimentHost_must_resume_ENAS_to_the_result_of_an_uninterrupted_run(string blockOp, int allowed)
    {
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

        var fresh = new FakeBackendFactory(Spaces.Tiny());
        var done = await RunToEnd(Start(name, settings, fresh));
        Deep.Equal(Straight(settings), done.Status.Plan);
        Assert.Equal(0, fresh.Policies!.Count("init")); // the journaled policy is used, not created again
        AssertEachSampleRewardedOnce(JournalOf(name), name, 2 * 2 * 3 + 5);
        Assert.Single(JournalOf(name).Events(ExperimentProtocol.PersistenceId(name)), e => e.Manifest == "nas.event.policy-initialized.v2");
    }

    [Fact]
    public async Task ExperimentHost_must_fail_ENAS_with_a_user_error_when_the_backend_has_no_policy()
    {
        var (name, settings) = Create("no-policy", 1);
        var host = Start(name, settings, new FakeBackendFactory(Spaces.Tiny(), policy: false));
        try
        {
            var e = await Assert.ThrowsAsync<ExperimentFailedException>(() => host.Completion.WaitAsync(Timeout));
            Assert.True(e.UserError);
            Assert.Contains("policy/init", e.Message);
            Assert.Contains(nameof(IPolicyBackend), e.Message);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
