using NasActors.Core.Training;
using NasActors.Torch.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace NasActors.Torch.Tests.Training;

/// <summary>
/// Two CPU trainers in one process, as `nas search` runs them (issue #10, item 9: one smoke run in ~50 crashed in
/// SgdStep's add_ with "Expected false to be true"). The cause: TorchSharp's add_(Tensor) passes a temporary Scalar (1)
/// that nothing references during the native call, so a garbage collection started by the other trainer's thread can
/// finalize it, freeing it while libtorch reads it. Collections are forced here as often as they can run.
/// </summary>
public sealed class TrainerConcurrencyTests(ITestOutputHelper output)
{
    private static readonly Action<TrainProgress> Ignore = _ => { };
    private const int Rounds = 30, Steps = 4;

    /// <summary>Runs <paramref name="work"/> while another thread collects garbage and runs finalizers in a loop.</summary>
    private static void WhileCollecting(Action work)
    {
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                _ = new byte[64 * 1024];
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        collector.Start();
        try { work(); }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
    }

    private static float[] Updated(int seed, int updates)
    {
        using var scope = torch.NewDisposeScope();
        var gen = new torch.Generator((ulong)seed);
        var p = torch.randn([2048], generator: gen);
        var m = torch.zeros([2048]);
        using var noGrad = torch.no_grad();
        using var one = 1.ToScalar();
        using var mu = 0.9.ToScalar();
        using var wd = 4e-5.ToScalar();
        using var negLr = (-0.01).ToScalar();
        for (var i = 0; i < updates; i++)
        {
            using var step = torch.NewDisposeScope();
            var g = torch.randn([2048], generator: gen);
            TorchSupernetBackend.SgdUpdate(p, g, m, one, mu, wd, negLr, decay: true);
        }
        return p.data<float>().ToArray();
    }

    [Fact]
    public void SgdUpdate_must_give_the_same_weights_on_two_threads_while_garbage_is_collected()
    {
        const int Updates = 4000, Repetitions = 3;
        var expected = new[] { Updated(1, Updates), Updated(2, Updates) };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var rep = 0; rep < Repetitions; rep++)
        {
            var actual = new float[2][];
            var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
            WhileCollecting(() =>
            {
                var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
                {
                    try { actual[t] = Updated(t + 1, Updates); }
                    catch (Exception e) { errors.Enqueue(e); }
                })).ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());
            });
            Assert.True(errors.IsEmpty, string.Join("\n", errors));
            Assert.Equal(expected[0], actual[0]);
            Assert.Equal(expected[1], actual[1]);
        }
        output.WriteLine($"{Repetitions} x 2 threads x {Updates} updates with collections running: {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static SupernetSlice Slice(int round, int slot) => new(round, slot, 2, null, round * Steps, Steps);

    [Fact]
    public void Two_trainers_must_train_many_short_slices_concurrently_with_the_results_of_one_at_a_time()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        var expected = new string[Rounds, 2];
        using (var one = factory.Create("cpu"))
            for (var r = 0; r < Rounds; r++)
            for (var s = 0; s < 2; s++)
                expected[r, s] = one.Trainer().TrainSlice(Slice(r, s), Ignore, CancellationToken.None).Checkpoint;

        var actual = new string?[Rounds, 2];
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Each trainer on its own thread, creating its backend there as TrainerActor's worker does (so one trainer's
        // set-up runs while the other trains), a fresh pair per round.
        void RunRounds()
        {
            for (var r = 0; r < Rounds; r++)
            {
                var round = r;
                var threads = Enumerable.Range(0, 2).Select(s => new Thread(() =>
                {
                    try
                    {
                        using var backend = factory.Create("cpu");
                        actual[round, s] = backend.Trainer().TrainSlice(Slice(round, s), Ignore, CancellationToken.None).Checkpoint;
                    }
                    catch (Exception e) { errors.Enqueue(e); }
                })).ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());
            }
        }
        // NAS_STRESS_GC=1 forces collections here too. Today that fails within 30 rounds in TorchSharp's own
        // BatchNorm.forward (num_batches_tracked.add_(1) makes the same unheld temporary Scalars, in the BN layers of
        // Ops/), no longer in SgdStep. Off by default until those layers avoid it (docs/OPERATIONS.md, "Known issues").
        if (Environment.GetEnvironmentVariable("NAS_STRESS_GC") == "1") WhileCollecting(RunRounds);
        else RunRounds();
        output.WriteLine($"{Rounds} rounds of 2 concurrent slices of {Steps} steps in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(errors.IsEmpty, string.Join("\n", errors));
        for (var r = 0; r < Rounds; r++)
        for (var s = 0; s < 2; s++)
            Assert.True(expected[r, s] == actual[r, s], $"round {r} slot {s}: {actual[r, s]} concurrently, {expected[r, s]} alone");
    }
}
