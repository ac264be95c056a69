using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Akka.Configuration;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Torch.Training;

namespace NasActors.Bench;

/// <summary>
/// Search quality of the population strategies at equal budget: regularized-evolution and spos-evolution against random
/// search on the SPOS space (hocon/spos-fashion.conf: spos-shufflenet, FLOPs at most 2.5 M, batch 64, 2 trainers of one
/// intra-op thread each), over several seeds.
/// <para>
/// Per seed, every strategy runs its real plan (<see cref="IPlan"/>, built by its registered module from a
/// nas.strategies.NAME section, as `nas search` builds it) driven the way the experiment actor drives it: journal-free
/// but otherwise the same loop (Next; Emit: apply the events; Run: execute the work items on the trainers' backends,
/// feed each result to OnResult and apply its events; Finish). So each strategy trains its supernet, proposes
/// generations from its own state, scores them with the backend's <see cref="IArchitectureEvaluator"/> on the validation
/// split, observes the scores, scores its best on the test split, and retrains that best from scratch (its plan's
/// retrain phase, nas.retrain: 2 epochs in 2 rounds on both trainers unless an argument sets them) and tests it: the
/// accuracy a user of the strategy would get, not only the shared-weight score.
/// </para>
/// <para>
/// Fairness and cost: work items are pure functions of their fields (ITrainerBackend's contract), so their results are
/// memoised per seed. The three plans have the same seed and the same shared-weight settings, so they ask for the same
/// TrainSlice / MergeSlices work: the supernet is trained ONCE per seed and all three strategies search that same
/// checkpoint. A candidate two strategies both propose (the same architecture on the same checkpoint) is scored once, and
/// a best two strategies share is retrained once (retrain work depends only on the architecture and the settings).
/// As a check, the random strategy's best is scored again, uncached, at the end of each seed and must reproduce its figure.
/// All strategies score the same number of candidates (the budget, 48 by default): random 4 batches of budget/4,
/// spos-evolution 4 generations of budget/4 (top-k, mutations and crossovers 40% each, as hocon/spos-fashion.conf's
/// 8/8/8 of 20), regularized-evolution a population of budget/3 then the rest as children in 4 batches, tournaments of a
/// quarter of the population (Real et al.). Their generation 0 draws from the same seeded RNG, so they share their first
/// uniform samples (common random numbers: the paired comparison is sharper, the comparison no less fair).
/// </para>
/// <para>
/// Size, chosen for about 10-15 minutes for 3 seeds on 2 cores: the supernet trains 2,000 steps of 64 images on 2
/// data-parallel slots (1,000 steps each, 5 rounds of 200, weights averaged each round), a third of hocon/spos-fashion.conf's
/// 6,000 (about 2.6 epochs of the 50k training split instead of 7.7): long enough for the candidates' scores to be
/// spread by more than noise, short enough that the supernet (~1.5-2 min a seed on 2 cores) does not dwarf the search.
/// 2 slots rather than 1 because two one-thread trainers are about 2x one trainer on 2 cores, and scoring runs on both.
/// Candidates are scored as in hocon/spos-fashion.conf: 8 BN recalibration batches, 2,000 validation images; the best on
/// the 10,000 test images. Extra key=value arguments override the config (e.g. nas.train.total-steps=6000).
/// </para>
/// </summary>
internal static class StrategiesBench
{
    private static readonly string[] Strategies = ["regularized-evolution", "spos-evolution", "random"];
    private const string Baseline = "random";

    private sealed record StrategyResult(string Strategy, double BestVal, double BestTest, double MeanVal, int Scored, int Distinct, long BestFlops,
        string BestId, double Seconds, int Computed, double RetrainedTest);

    private sealed record SeedResult(long Seed, double SupernetSeconds, double Seconds, IReadOnlyDictionary<string, StrategyResult> ByStrategy, string Check);

    public static async Task Run(string[] args)
    {
        var failures = Stats.SelfCheck();
        if (failures.Count > 0)
        {
            Console.WriteLine("strategies: Student-t self-check FAILED, p-values below are not to be trusted:");
            foreach (var f in failures) Console.WriteLine("  " + f);
        }
        var numbers = args.TakeWhile(a => int.TryParse(a, out _)).Select(int.Parse).ToArray();
        var seeds = numbers.Length > 0 ? numbers[0] : 3;
        var budget = numbers.Length > 1 ? numbers[1] : 48;
        if (seeds < 1 || budget < 16 || budget % 4 != 0)
            throw new ArgumentException($"strategies [seeds >= 1] [candidates >= 16, a multiple of 4]: got {seeds} seeds, {budget} candidates");
        var extra = args.Skip(numbers.Length).Where(a => a != "--set").ToArray();
        // The bench's own size, unless an argument sets the same key.
        string[] fixedOverrides = [.. new[] { "nas.train.total-steps=2000", "nas.retrain.epochs=2", "nas.retrain.rounds-per-epoch=2" }
            .Where(f => !extra.Any(e => Key(e) == Key(f)))];
        var probe = BenchConfig.Load([.. fixedOverrides, .. extra]);
        var probeDir = BenchConfig.TempDir("strategies-probe");
        using (var costsOnly = BenchConfig.Factory(probe, probeDir, 1))
        {
            var constraints = probe.Engine.Constraints(costsOnly.Costs);
            var admissible = costsOnly.Space.Enumerate().Count(constraints.Admits);
            Console.WriteLine($"strategies: {seeds} seeds x {string.Join(", ", Strategies)}, {budget} scored candidates each, on one supernet per seed;");
            Console.WriteLine($"  hocon/spos-fashion.conf with {string.Join(" ", fixedOverrides.Concat(extra))}: space {probe.SpaceName} ({costsOnly.Space.Size:N0} architectures, " +
                              $"{admissible:N0} within max-flops {probe.MaxFlops:N0}), {probe.Train.TotalSteps} supernet steps of {probe.Train.BatchSize} on {probe.Devices.Length} slot(s) " +
                              $"({probe.OneShot.Rounds} rounds of {probe.Train.StepsPerRound}), {probe.Devices.Length} trainer thread(s) x {probe.EffectiveThreads} intra-op thread(s);");
            Console.WriteLine($"  scores: {probe.Train.BnRecalibrationBatches} BN recalibration batches + {probe.Train.ValidationImages} validation images; best on 10,000 test images; load {BenchConfig.LoadAverage()}");
            Console.WriteLine($"  then each strategy's best retrained from scratch by its plan ({probe.Retrain.Epochs} epochs in {probe.Retrain.Rounds} rounds each on {probe.Retrain.Slots} slots, " +
                              $"batch {probe.Retrain.BatchSize}, the config's nas.retrain) and tested on the 10,000 test images");
            foreach (var name in Strategies) Console.WriteLine($"  {name,-22} {SectionBody(name, budget)}");
        }
        Directory.Delete(probeDir, true);

        var results = new List<SeedResult>();
        for (var seed = 1L; seed <= seeds; seed++)
        {
            var r = await OneSeed(seed, budget, [$"nas.experiment.seed={seed}", .. fixedOverrides, .. extra]);
            results.Add(r);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  seed {r.Seed}: supernet {r.SupernetSeconds:F0} s, seed total {r.Seconds:F0} s{r.Check}"));
            foreach (var s in Strategies.Select(n => r.ByStrategy[n]))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    {s.Strategy,-22} best {s.BestId,-5} val {s.BestVal:P2}  test {s.BestTest:P2}  retrained {s.RetrainedTest:P2}  FLOPs {s.BestFlops / 1e6:F2} M | mean val of all {s.MeanVal:P2} | " +
                    $"{s.Scored} scored ({s.Distinct} distinct), {s.Computed} computed here, search and retrain {s.Seconds:F0} s (memoised work costs 0 s)"));
        }

        Console.WriteLine($"over {results.Count} seeds, mean ± sample std; difference = strategy - {Baseline}, paired two-sided t-test on the per-seed differences:");
        foreach (var (label, pick) in new (string, Func<StrategyResult, double>)[]
                 {
                     ("best's val acc", x => x.BestVal), ("best's test acc", x => x.BestTest), ("best retrained, test acc", x => x.RetrainedTest),
                     ("mean val of all", x => x.MeanVal),
                 })
        {
            Console.WriteLine($"  {label}:");
            var baseline = results.Select(r => pick(r.ByStrategy[Baseline])).ToArray();
            foreach (var name in Strategies)
            {
                var v = results.Select(r => pick(r.ByStrategy[name])).ToArray();
                var line = string.Create(CultureInfo.InvariantCulture, $"    {name,-22} {100 * Stats.Mean(v):F2} ± {100 * Stats.Std(v):F2}");
                if (name != Baseline)
                {
                    var diff = v.Zip(baseline, (a, b) => a - b).ToArray();
                    var (t, df, p) = Stats.PairedT(v, baseline);
                    line += string.Create(CultureInfo.InvariantCulture,
                        $"   difference {100 * Stats.Mean(diff):+0.00;-0.00;0.00} ± {100 * Stats.Std(diff):F2} pp   t = {t:F3}, df = {df}, p = {p:F4}");
                }
                Console.WriteLine(line);
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  wall time per seed: {Stats.Mean(results.Select(r => r.Seconds).ToArray()):F0} ± {Stats.Std(results.Select(r => r.Seconds).ToArray()):F0} s " +
            $"(supernet {Stats.Mean(results.Select(r => r.SupernetSeconds).ToArray()):F0} s); load {BenchConfig.LoadAverage()}"));
    }

    private static string Key(string assignment) => assignment.Split('=')[0].Trim() is var k && k.StartsWith("nas.", StringComparison.Ordinal) ? k : "nas." + k;

    /// <summary>The nas.strategies.NAME section for <paramref name="budget"/> scored candidates (see the class comment).</summary>
    private static string SectionBody(string strategy, int budget)
    {
        var quarter = budget / 4;
        var forty = Math.Max(1, (int)Math.Round(0.4 * quarter));
        var population = budget / 3;
        return strategy switch
        {
            "random" => $"population-size = {quarter}, generations = 4, top-k = 5",
            "spos-evolution" => $"population-size = {quarter}, generations = 4, top-k = {forty}, mutation-count = {forty}, mutation-probability = 0.1, crossover-count = {forty}",
            "regularized-evolution" => $"population-size = {population}, sample-size = {Math.Max(2, population / 4)}, cycles = {budget - population}, " +
                                       $"batch = {Math.Max(1, (budget - population + 3) / 4)}, mutation-probability = 0.1, top-k = 5",
            _ => throw new ArgumentException(strategy),
        };
    }

    /// <summary>The settings with <paramref name="strategy"/> selected and its section read by its registered module, as config loading does.</summary>
    private static NasSettings WithStrategy(NasSettings s, string strategy, int budget)
    {
        var module = Catalog.Strategy(strategy);
        var config = ConfigurationFactory.ParseString($"nas.strategies.{strategy} {{ {SectionBody(strategy, budget)} }}").WithFallback(NasConfig.Reference);
        var settings = module.ReadSettings(NasConfig.Section(config, "nas.strategies." + strategy, "the strategies benchmark"), s.Engine);
        return s with { StrategyName = strategy, StrategySettings = settings };
    }

    private static async Task<SeedResult> OneSeed(long seed, int budget, string[] overrides)
    {
        var s = BenchConfig.Load(overrides);
        var dir = BenchConfig.TempDir("strategies");
        var clock = Stopwatch.StartNew();
        try
        {
            using var factory = BenchConfig.Factory(s, dir);
            factory.Validate(s.Devices);
            using var trainers = new Trainers(factory, s.Devices);
            var memo = new Memo(trainers);
            var byStrategy = new Dictionary<string, StrategyResult>();
            double supernet = -1;
            // Random first: its supernet phase trains the shared weights the other two then find memoised.
            foreach (var name in Strategies.Reverse())
            {
                var settings = WithStrategy(s, name, budget);
                var plan = settings.CreatePlan(factory.Space, factory.Costs);
                var started = clock.Elapsed.TotalSeconds;
                var computedBefore = memo.Computed;
                var (status, trained) = await Drive(plan, memo, clock);
                if (supernet < 0) supernet = trained - started;
                var ranking = status.Ranking;
                if (status.Scored != budget)
                    Console.WriteLine($"    note: {name} scored {status.Scored} candidates, not {budget} (the space ran out of admissible new architectures?)");
                var best = ranking[0];
                byStrategy[name] = new StrategyResult(name, best.Metrics.Accuracy, status.Test?.Metrics.Accuracy ?? double.NaN, ranking.Average(r => r.Metrics.Accuracy),
                    status.Scored, ranking.Select(r => r.Rollout.Architecture.CanonicalKey).Distinct().Count(), best.Metrics.Flops, best.Rollout.Id.ToString(),
                    clock.Elapsed.TotalSeconds - Math.Max(started, trained), memo.Computed - computedBefore, status.Retrained?.Metrics.Accuracy ?? double.NaN);
            }

            // The memo must be transparent: the random strategy's best scored again, uncached, gives the same figures.
            var rb = byStrategy[Baseline];
            var again = (RolloutScored)await trainers.Execute(memo.BestOf(Baseline));
            var check = again.Metrics.Accuracy == rb.BestVal ? $", memo check ok ({Baseline}'s best re-scored: {again.Metrics.Accuracy:P2})" : string.Create(CultureInfo.InvariantCulture,
                $"  WARNING: re-scoring {Baseline}'s best gave {again.Metrics.Accuracy:P2}, the search had {rb.BestVal:P2}");
            return new SeedResult(seed, supernet, clock.Elapsed.TotalSeconds, byStrategy, check);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// The experiment actor's loop without actors or journal: Emit applies the plan's events, Run executes the wanted work
    /// on the trainers (in parallel) and feeds each result, in the plan's order, to OnResult and applies its events.
    /// Returns the final status and when the supernet phase ended (on <paramref name="clock"/>).
    /// </summary>
    private static async Task<(PlanStatus Status, double SupernetDone)> Drive(IPlan plan, Memo memo, Stopwatch clock)
    {
        var state = plan.Initial;
        var supernetDone = -1.0;
        while (true)
        {
            if (supernetDone < 0 && plan.Status(state).Phase != "supernet") supernetDone = clock.Elapsed.TotalSeconds;
            switch (plan.Next(state))
            {
                case PlanStep.Emit emit:
                    foreach (var e in emit.Events) state = plan.Apply(state, e);
                    break;
                case PlanStep.Run run:
                    var results = await Task.WhenAll(run.Work.Select(w => memo.Execute(plan.Strategy, w)));
                    foreach (var r in results)
                        foreach (var e in plan.OnResult(state, r))
                            state = plan.Apply(state, e);
                    break;
                case PlanStep.Finish:
                    return (plan.Status(state), supernetDone);
                case PlanStep.Fail f:
                    throw new InvalidOperationException($"plan {plan.Strategy} failed: {f.Reason}");
            }
        }
    }

    /// <summary>
    /// Results of pure work items by their content, not their key: the same supernet slice, merge or (architecture,
    /// checkpoint, split) score is computed once per seed, whichever strategy asks. A memoised result is handed back
    /// under the asking work's key and rollout id.
    /// </summary>
    private sealed class Memo(Trainers trainers)
    {
        private readonly ConcurrentDictionary<string, Task<WorkResult>> _done = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ScoreRollout> _best = new(StringComparer.Ordinal);
        private int _computed;

        /// <summary>Work items actually run on a backend so far.</summary>
        public int Computed => Volatile.Read(ref _computed);

        /// <summary>The validation score of <paramref name="strategy"/>'s best (the one its finale tested), to check the memo with.</summary>
        public ScoreRollout BestOf(string strategy)
        {
            lock (_best) return _best[strategy];
        }

        public async Task<WorkResult> Execute(string strategy, WorkItem work)
        {
            var content = work switch
            {
                TrainSlice t => "slice " + t.Slice,
                MergeSlices m => $"merge {m.Round} {string.Join(",", m.Checkpoints)}",
                ScoreRollout sr => $"score {sr.Rollout.Architecture.CanonicalKey} {sr.Checkpoint} {sr.Split}",
                // Retraining depends on the architecture, the settings (the same for every strategy) and the checkpoint it starts from.
                RetrainEpoch re => $"retrain {re.Rollout.Architecture.CanonicalKey} {re.Settings} {re.Epoch} {re.Round} {re.Slot} {re.FromCheckpoint}",
                MergeRetrainSlots mr => $"retrain-merge {mr.Epoch} {mr.Round} {string.Join(",", mr.Checkpoints)}",
                RetrainTest rt => $"retrain-test {rt.Rollout.Architecture.CanonicalKey} {rt.Settings} {rt.Checkpoint}",
                _ => null,
            };
            if (content is null) return await Count(work);
            var result = await _done.GetOrAdd(content, _ => Count(work));
            if (work is ScoreRollout score)
            {
                if (score.Split == EvalSplit.Test)
                    lock (_best) _best[strategy] = score with { Split = EvalSplit.Validation };
                var r = (RolloutScored)result;
                return new RolloutScored(work.Key, score.Rollout.Id, score.Split, r.Metrics);
            }
            return (work, result) switch
            {
                (RetrainEpoch w, RetrainEpochTrained r) => r with { Key = w.Key, Id = w.Rollout.Id },
                (MergeRetrainSlots w, RetrainSlotsMerged r) => r with { Key = w.Key, Id = w.Id },
                (RetrainTest w, RetrainTested r) => r with { Key = w.Key, Id = w.Rollout.Id },
                _ => result,
            };
        }

        private Task<WorkResult> Count(WorkItem work)
        {
            Interlocked.Increment(ref _computed);
            return trainers.Execute(work);
        }
    }

    /// <summary>One dedicated thread per device, each with its own backend (backends are thread-confined), taking work from one queue.</summary>
    private sealed class Trainers : IDisposable
    {
        private readonly BlockingCollection<(WorkItem Work, TaskCompletionSource<WorkResult> Done)> _queue = new();
        private readonly List<Thread> _threads = [];

        public Trainers(TorchSupernetFactory factory, IEnumerable<string> devices)
        {
            foreach (var device in devices)
            {
                var t = new Thread(() =>
                {
                    ITrainerBackend? backend = null;
                    Exception? broken = null;
                    try { backend = factory.Create(device); }
                    catch (Exception e) { broken = e; }
                    foreach (var (work, done) in _queue.GetConsumingEnumerable())
                    {
                        try { done.SetResult(work.Execute(new WorkContext(backend ?? throw new InvalidOperationException("the backend failed to start", broken), _ => { }, CancellationToken.None))); }
                        catch (Exception e) { done.SetException(e); }
                    }
                    backend?.Dispose();
                }) { IsBackground = true, Name = "trainer " + device };
                t.Start();
                _threads.Add(t);
            }
        }

        public Task<WorkResult> Execute(WorkItem work)
        {
            var done = new TaskCompletionSource<WorkResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            _queue.Add((work, done));
            return done.Task;
        }

        public void Dispose()
        {
            _queue.CompleteAdding();
            foreach (var t in _threads) t.Join();
            _queue.Dispose();
        }
    }
}
