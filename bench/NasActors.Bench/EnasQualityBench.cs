using System.Diagnostics;
using System.Globalization;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies.Enas;
using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;

namespace NasActors.Bench;

/// <summary>
/// ENAS search quality against an honest baseline: per seed, a real ENAS search (hocon/enas-fashion.conf at half the
/// shared-weight steps), then, with the same final shared weights, as many uniformly random architectures as the
/// controller derived, scored exactly as the derive phase scores (same backend code, BN recalibration and validation
/// images). Reports controller vs random (best of K, mean of K, test accuracy of each best) over the seeds, with a
/// paired t-test. The baseline is plain uniform sampling over the whole space: nothing in it is tuned.
/// </summary>
internal static class EnasQualityBench
{
    /// <summary>Seeds the baseline's sampling stream ("RAND"), apart from every stream the search itself uses.</summary>
    private const long RandomStreamTag = 0x52414E44;

    private const string Name = "quality";

    private sealed record SeedResult(long Seed, int K, double CtrlBest, double CtrlMean, int CtrlDistinct, double CtrlTest,
        double RandBest, double RandMean, double RandTest, double Seconds, string Phases, string Check, string Controller);

    public static async Task Run(string[] args)
    {
        var failures = Stats.SelfCheck();
        if (failures.Count > 0)
        {
            Console.WriteLine("enas-quality: Student-t self-check FAILED, p-values below are not to be trusted:");
            foreach (var f in failures) Console.WriteLine("  " + f);
        }
        var seeds = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 5;
        var extra = args.Skip(args.Length > 0 && int.TryParse(args[0], out _) ? 1 : 0).Where(a => a != "--set").ToArray();
        string[] fixedOverrides = ["nas.train.total-steps=1200", "nas.strategies.enas-rl.epochs=5"];
        var probe = BenchConfig.LoadFile("enas-fashion.conf", [.. fixedOverrides, .. extra]);
        var rl = Enas(probe).Reinforce;
        Console.WriteLine($"enas-quality: {seeds} seeds, hocon/enas-fashion.conf with {string.Join(" ", fixedOverrides.Concat(extra))}: " +
                          $"{probe.OneShot.Rounds} rounds, {rl.Epochs} epochs, {rl.TotalSteps} controller updates, " +
                          $"K = {rl.DeriveSamples} architectures each way on {probe.Train.ValidationImages} validation images; load average {BenchConfig.LoadAverage()}");

        var results = new List<SeedResult>();
        for (var seed = 1L; seed <= seeds; seed++)
        {
            // The status must carry the whole derive batch (it carries nas.export.top-k): the controller's side is all K.
            var r = await OneSeed(seed, [$"nas.experiment.seed={seed}", .. fixedOverrides, .. extra, $"nas.export.top-k={rl.DeriveSamples}"]);
            results.Add(r);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  seed {r.Seed}: controller best {r.CtrlBest:P2} mean {r.CtrlMean:P2} ({r.CtrlDistinct}/{r.K} distinct) | random best {r.RandBest:P2} mean {r.RandMean:P2} | " +
                $"test: controller best {r.CtrlTest:P2}, random best {r.RandTest:P2} | last update: {r.Controller} | {r.Seconds:F0} s ({r.Phases}){r.Check}"));
        }

        Console.WriteLine($"over {results.Count} seeds, mean ± sample std (difference = controller - random; paired two-sided t-test on the per-seed differences):");
        Row("best of K, val", results.Select(r => r.CtrlBest).ToArray(), results.Select(r => r.RandBest).ToArray());
        Row("mean of K, val", results.Select(r => r.CtrlMean).ToArray(), results.Select(r => r.RandMean).ToArray());
        Row("best's test acc", results.Select(r => r.CtrlTest).ToArray(), results.Select(r => r.RandTest).ToArray());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  wall time per seed: {Stats.Mean(results.Select(r => r.Seconds).ToArray()):F0} ± {Stats.Std(results.Select(r => r.Seconds).ToArray()):F0} s"));
    }

    private static EnasSettings Enas(NasSettings s) => s.StrategySettings as EnasSettings
        ?? throw new InvalidOperationException($"enas-quality needs nas.strategy = enas-rl, not {s.StrategyName}");

    private static void Row(string label, double[] ctrl, double[] rand)
    {
        var diff = ctrl.Zip(rand, (a, b) => a - b).ToArray();
        var (t, df, p) = Stats.PairedT(ctrl, rand);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {label,-16} controller {100 * Stats.Mean(ctrl):F2} ± {100 * Stats.Std(ctrl):F2}   random {100 * Stats.Mean(rand):F2} ± {100 * Stats.Std(rand):F2}   " +
            $"difference {100 * Stats.Mean(diff):+0.00;-0.00} ± {100 * Stats.Std(diff):F2} pp   t = {t:F3}, df = {df}, p = {p:F4}"));
    }

    private static async Task<SeedResult> OneSeed(long seed, string[] overrides)
    {
        var s = BenchConfig.LoadFile("enas-fashion.conf", overrides);
        var dir = BenchConfig.TempDir("enas-quality");
        try
        {
            var store = new ExperimentStore(dir);
            store.Create(Name, "");
            using var factory = BenchConfig.Factory(s, store.CheckpointDirectory(Name));
            factory.Validate(s.Devices);
            var clock = Stopwatch.StartNew();
            // Seconds in each phase, from the experiment's own progress messages (a phase ends at the first message of the next).
            // The plan's phases: policy, shared, controller, derive, test, finished.
            var phases = new Dictionary<string, double>();
            var gate = new object();
            var (phase, since) = ("policy", 0.0);
            void OnProgress(ExperimentProtocol.Progressed p)
            {
                lock (gate)
                {
                    if (p.Status.Plan.Phase == phase) return;
                    var now = clock.Elapsed.TotalSeconds;
                    phases[phase] = phases.GetValueOrDefault(phase) + now - since;
                    (phase, since) = (p.Status.Plan.Phase, now);
                }
            }
            var host = ExperimentHost.Start(store, Name, s, factory, OnProgress);
            ExperimentProtocol.Completed done;
            List<(Architecture Arch, Metrics M)> ctrl; // the controller's derive batch, best first as the experiment ranked it
            try
            {
                done = await host.Completion;
                ctrl = [.. done.Status.Plan.Ranking.Select(t => (t.Rollout.Architecture, t.Metrics))];
            }
            finally
            {
                await host.DisposeAsync();
            }
            lock (gate) phases[phase] = phases.GetValueOrDefault(phase) + clock.Elapsed.TotalSeconds - since;
            var searchSeconds = clock.Elapsed.TotalSeconds;

            var checkpoint = done.Status.Plan.Checkpoint ?? throw new InvalidOperationException("the experiment finished without a shared checkpoint");
            var K = Enas(s).Reinforce.DeriveSamples;
            if (ctrl.Count != K)
                throw new InvalidOperationException($"the experiment's status carried {ctrl.Count} of the {K} derived architectures; both sides must be K");
            var ctrlBest = ctrl[0];
            var ctrlTest = done.Status.Plan.Test?.Metrics.Accuracy ?? double.NaN;

            // The baseline on its own dedicated thread (backends are thread-confined): a backend from the same factory,
            // K uniform samples scored like the derive phase, the best also on the test split; plus one re-score of the
            // controller's best, which must reproduce the derive phase's figure if the scoring really is the same.
            var rng = Xoshiro256.FromSeed(Xoshiro256.Derive(seed, RandomStreamTag));
            var random = Enumerable.Range(0, K).Select(_ => factory.Space.Sample(rng)).ToArray();
            var (rand, randTest, recheck) = await Task.Factory.StartNew(() =>
            {
                using var backend = factory.Create(s.Devices[0]);
                var evaluator = backend.Capability<IArchitectureEvaluator>()!;
                var scored = random.Select(a => (Arch: a, M: evaluator.Score(a, checkpoint, EvalSplit.Validation, default)))
                    .OrderByDescending(x => x.M.Accuracy).ThenBy(x => x.M.Loss).ToList();
                var test = evaluator.Score(scored[0].Arch, checkpoint, EvalSplit.Test, default).Accuracy;
                var again = evaluator.Score(ctrlBest.Arch, checkpoint, EvalSplit.Validation, default);
                return (scored.Select(x => x.M).ToList(), test, again);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            var check = recheck.Accuracy == ctrlBest.M.Accuracy && recheck.Loss == ctrlBest.M.Loss
                ? ""
                : string.Create(CultureInfo.InvariantCulture, $"  WARNING: re-scoring the controller's best gave {recheck.Accuracy:P2} / loss {recheck.Loss:F5}, derive gave {ctrlBest.M.Accuracy:P2} / {ctrlBest.M.Loss:F5}");
            // The controller's last update, to tell a lagging baseline (mean reward far above it) or a flat policy (entropy
            // near the uniform policy's) from a controller that learned.
            var f = done.Status.Plan.Figures;
            var controller = string.Create(CultureInfo.InvariantCulture,
                $"mean reward {f.GetValueOrDefault("mean_reward", double.NaN):P1}, baseline {f.GetValueOrDefault("baseline", double.NaN):P1}, entropy {f.GetValueOrDefault("entropy", double.NaN):F2}");
            var p = phases.Where(kv => kv.Value > 0).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:F0}"));
            var phaseText = string.Join(", ", p) + string.Create(CultureInfo.InvariantCulture, $"; baseline scoring {clock.Elapsed.TotalSeconds - searchSeconds:F0}");
            return new SeedResult(seed, K, ctrlBest.M.Accuracy, ctrl.Average(c => c.M.Accuracy), ctrl.Select(c => c.Arch.CanonicalKey).Distinct().Count(), ctrlTest,
                rand[0].Accuracy, rand.Average(m => m.Accuracy), randTest, clock.Elapsed.TotalSeconds, phaseText, check, controller);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }
}
