using System.Collections.Immutable;
using System.Diagnostics;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies.Enas;
using NasActors.Core.Training;
using NasActors.Runtime.Configuration;

namespace NasActors.Bench;

/// <summary>
/// ENAS component speeds on the hocon/enas-fashion.conf shapes: the LSTM controller (sampling, REINFORCE updates) with
/// 1 and 2 intra-op threads, shared-weight training, reward minibatches and derive scores with 1 thread; then what they
/// imply for one epoch and a whole enas-fashion run (an estimate from these rates, not a measured run).
/// Everything runs on one dedicated thread: backends are thread-confined and libtorch's thread count is process-wide.
/// </summary>
internal static class EnasSpeedBench
{
    private const int SampleCalls = 5;
    private const int SampleCount = 100;
    private const int Updates = 20;
    private const int SliceSteps = 60;
    private const int Rewards = 20;
    private const int DeriveScores = 6;

    public static void Run(string[] args)
    {
        var s = BenchConfig.LoadFile("enas-fashion.conf");
        var space = (EnasMicroSpec)s.SpaceSpec;
        var enas = (EnasSettings)s.StrategySettings;
        Console.WriteLine($"enas-speed: hocon/enas-fashion.conf (channels {space.Channels}, nodes {space.Nodes}, stages {space.Stages}, " +
                          $"batch {s.Train.BatchSize}, controller hidden {enas.Controller.HiddenSize}); load average at start: {BenchConfig.LoadAverage()}");
        var controller = new Dictionary<int, (double SamplesPerSecond, double OneSampleMs, double UpdatesPerSecond)>();
        foreach (var threads in new[] { 1, 2 })
        {
            var r = BenchConfig.OnThread(() => Controller(s, threads));
            controller[threads] = r;
            Console.WriteLine($"  controller, {threads} thread(s): {r.SamplesPerSecond,7:F0} architectures/s sampled in calls of {SampleCount}, " +
                              $"{r.OneSampleMs:F2} ms per single-architecture call (one per shared step at path-every 1), " +
                              $"{r.UpdatesPerSecond:F1} updates/s (batch {enas.Reinforce.SamplesPerUpdate}, incl. checkpoint write)");
        }
        var w = BenchConfig.OnThread(() => Workers(s));
        Console.WriteLine($"  shared-weight training, 1 trainer, 1 thread, {SliceSteps} steps per slice:");
        Console.WriteLine($"    controller-sampled paths: first slice {w.FirstImgPerSec,6:F0} img/s (incl. warm-up), second {w.PolicyImgPerSec,6:F0} img/s");
        Console.WriteLine($"    uniform paths (no policy, for comparison):           {w.UniformImgPerSec,6:F0} img/s");
        Console.WriteLine($"  reward minibatches ({enas.RewardImages} validation images, batch-norm on the batch): {w.RewardsPerSec,6:F1} scores/s (1 thread)");
        Console.WriteLine($"  derive scores ({s.Train.BnRecalibrationBatches} BN recalibration batches + {s.Train.ValidationImages} validation images): " +
                          $"{w.ScoresPerSec,6:F2} scores/s (1 thread)");

        // The estimate: each epoch trains StepsPerSlot / Epochs steps on every trainer in parallel (one core each), then
        // the controller takes StepsPerEpoch updates, each on SamplesPerUpdate reward minibatches spread over the trainers.
        var trainers = s.Devices.Length;
        var e = enas.Reinforce;
        var stepsPerEpoch = (double)s.StepsPerSlot / e.Epochs;
        var shared = stepsPerEpoch * s.Train.BatchSize / w.PolicyImgPerSec;
        var c1 = controller[1];
        var rewards = Math.Ceiling((double)e.SamplesPerUpdate / trainers) / w.RewardsPerSec;
        var ctrl = e.StepsPerEpoch * (rewards + 1 / c1.UpdatesPerSecond + e.SamplesPerUpdate / c1.SamplesPerSecond);
        var derive = Math.Ceiling((double)e.DeriveSamples / trainers) / w.ScoresPerSec;
        Console.WriteLine($"  estimate for hocon/enas-fashion.conf from these rates ({trainers} trainers in parallel at the 1-thread rate, i.e. 2 free cores; not a measured run):");
        Console.WriteLine($"    per epoch: shared {shared,5:F1} s ({stepsPerEpoch:F0} steps x {s.Train.BatchSize} per trainer) + controller {ctrl,5:F1} s " +
                          $"({e.StepsPerEpoch} updates x {e.SamplesPerUpdate} rewards) = {shared + ctrl:F1} s");
        Console.WriteLine($"    whole run: {e.Epochs} epochs {e.Epochs * (shared + ctrl):F0} s + derive {derive:F1} s ({e.DeriveSamples} scores) " +
                          $"= {e.Epochs * (shared + ctrl) + derive:F0} s, plus start-up and one test-set score");
    }

    private static (double SamplesPerSecond, double OneSampleMs, double UpdatesPerSecond) Controller(NasSettings s, int threads)
    {
        var dir = BenchConfig.TempDir("enas-speed");
        try
        {
            // The factory sets libtorch's (process-wide) thread count on this thread, as a trainer's would.
            using var factory = BenchConfig.Factory(s, dir, threads);
            using var backend = factory.Create("cpu");
            var policy = backend.Capability<IPolicyBackend>()!; // the backend owns (and disposes) it
            var p = policy.Initialize(new PolicyMeta(0, 0, Xoshiro256.StateFromSeed(1)));
            var rng = Xoshiro256.FromSeed(2);
            policy.Sample(p, SampleCount, rng); // warm-up: checkpoint load, first kernels
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < SampleCalls; i++) policy.Sample(p, SampleCount, rng);
            var samplesPerSecond = SampleCalls * SampleCount / clock.Elapsed.TotalSeconds;
            clock.Restart();
            for (var i = 0; i < SampleCount; i++) policy.Sample(p, 1, rng);
            var oneMs = clock.Elapsed.TotalMilliseconds / SampleCount;

            var batch = ((EnasSettings)s.StrategySettings).Reinforce.SamplesPerUpdate;
            // Advantages of both signs, as rewards around a baseline give; their values do not change the cost.
            var advantages = Enumerable.Range(0, batch).Select(i => (i % 2 == 0 ? 1 : -1) * 0.01 * (i + 1)).ToImmutableArray();
            var timed = TimeSpan.Zero;
            for (var i = 0; i <= Updates; i++)
            {
                var samples = policy.Sample(p, batch, rng);
                clock.Restart();
                var u = policy.Update(p, samples, advantages, new PolicyMeta(i + 1, 0.5, rng.State));
                if (i > 0) timed += clock.Elapsed; // the first is warm-up (autograd, Adam state)
                p = u.Checkpoint;
            }
            return (samplesPerSecond, oneMs, Updates / timed.TotalSeconds);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private sealed record WorkerRates(double FirstImgPerSec, double PolicyImgPerSec, double UniformImgPerSec, double RewardsPerSec, double ScoresPerSec);

    private static WorkerRates Workers(NasSettings s)
    {
        var dir = BenchConfig.TempDir("enas-speed");
        try
        {
            var enas = (EnasSettings)s.StrategySettings;
            using var factory = BenchConfig.Factory(s, dir, 1);
            factory.Validate(["cpu"]); // data and cost table loaded before any clock
            using var backend = factory.Create("cpu");
            var policy = backend.Capability<IPolicyBackend>()!; // the backend owns (and disposes) it
            var trainer = backend.Capability<ISupernetTrainer>()!;
            var evaluator = backend.Capability<IArchitectureEvaluator>()!;
            var p = policy.Initialize(new PolicyMeta(0, 0, Xoshiro256.StateFromSeed(1)));
            var images = (double)SliceSteps * s.Train.BatchSize;

            var clock = Stopwatch.StartNew();
            var first = trainer.TrainSlice(new SupernetSlice(0, 0, 1, null, 0, SliceSteps, p), _ => { }, default);
            var firstRate = images / clock.Elapsed.TotalSeconds;
            clock.Restart();
            var second = trainer.TrainSlice(new SupernetSlice(1, 0, 1, first.Checkpoint, SliceSteps, SliceSteps, p), _ => { }, default);
            var policyRate = images / clock.Elapsed.TotalSeconds;
            clock.Restart();
            trainer.TrainSlice(new SupernetSlice(1, 0, 1, first.Checkpoint, SliceSteps, SliceSteps), _ => { }, default);
            var uniformRate = images / clock.Elapsed.TotalSeconds;

            var ckpt = second.Checkpoint;
            var archs = policy.Sample(p, Math.Max(Rewards, DeriveScores) + 1, Xoshiro256.FromSeed(3));
            evaluator.ScoreMinibatch(archs[^1], ckpt, 0, enas.RewardImages, default); // warm-up and checkpoint load (kept while the checkpoint stays)
            clock.Restart();
            for (var i = 0; i < Rewards; i++) evaluator.ScoreMinibatch(archs[i], ckpt, i + 1, enas.RewardImages, default);
            var rewardRate = Rewards / clock.Elapsed.TotalSeconds;

            evaluator.Score(archs[^1], ckpt, EvalSplit.Validation, default);
            clock.Restart();
            for (var i = 0; i < DeriveScores; i++) evaluator.Score(archs[i], ckpt, EvalSplit.Validation, default);
            var scoreRate = DeriveScores / clock.Elapsed.TotalSeconds;
            return new WorkerRates(firstRate, policyRate, uniformRate, rewardRate, scoreRate);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
