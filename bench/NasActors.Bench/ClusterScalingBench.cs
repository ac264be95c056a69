using System.Globalization;
using System.Text.RegularExpressions;

namespace NasActors.Bench;

/// <summary>
/// Candidates scored per minute by a real cluster of OS processes: one controller-only `nas node` and N trainer-only
/// nodes (one CPU device each), SQLite journal, against the synthetic backend (every work item sleeps a fixed time),
/// so the figure measures the runtime (dispatch, remoting, journal, evolution), not the cores. A fresh store and fresh
/// ports for every N. Times come from the coordinator's journal (the moment each event was written), so they do not
/// depend on how often the client prints progress.
/// </summary>
internal static partial class ClusterScalingBench
{
    private const int Population = 48;

    /// <summary>Each N's search phase lasts about this long at the ideal rate (more generations for more trainers).</summary>
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(20);

    [GeneratedRegex(@"^\[\d+:\d\d\] (\w+)\s")]
    private static partial Regex Phase();

    /// <param name="BarrierGap">Mean time from a generation's last score to the next generation's first, less one work item.</param>
    /// <param name="InGeneration">Ideal / actual time between a generation's first and last score (no barrier in it).</param>
    /// <param name="Cpu">CPU cores the cluster's processes (nodes and client) used, on average, during the search phase.</param>
    private sealed record Result(int N, int Generations, int Candidates, double Seconds, double Rate, double BarrierGap, double InGeneration, double Cpu);

    public static async Task Run(string[] args)
    {
        var cost = args.Length > 0 ? Duration(args[0]) : TimeSpan.FromMilliseconds(500);
        int[] ns = args.Length > 1 ? [.. args[1].Split(',').Select(int.Parse)] : [1, 2, 4, 8];
        Console.WriteLine($"cluster-scaling: 1 controller node + N trainer nodes (1 cpu device each), separate processes, SQLite journal; synthetic cost {cost.TotalMilliseconds:F0} ms per work item");
        Console.WriteLine($"  hocon/spos-fashion.conf (spos-evolution), population {Population}, generations per N so the search lasts ~{Target.TotalSeconds:F0} s at the ideal rate; load {BenchConfig.LoadAverage()}");
        var results = new List<Result>();
        foreach (var n in ns)
        {
            var generations = Math.Max(2, (int)Math.Ceiling(Target.TotalSeconds * n / (Population * cost.TotalSeconds)));
            var r = await RunOne(n, generations, cost);
            results.Add(r);
            Console.WriteLine($"  N={n}: {r.Candidates} candidates ({generations} generations of {Population}) in {r.Seconds:F1} s: {r.Rate:F1} candidates/min;" +
                              $" load {BenchConfig.LoadAverage()}");
        }

        var rate1 = results.FirstOrDefault(r => r.N == 1)?.Rate;
        Console.WriteLine();
        Console.WriteLine("  N  candidates  seconds  cand/min  ideal/min  vs linear  vs ideal  in-gen/ideal  barrier gap  cluster CPU");
        foreach (var r in results)
        {
            var ideal = r.N * 60 / cost.TotalSeconds;
            var linear = rate1 is { } r1 ? (r.Rate / (r.N * r1)).ToString("F3", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine($"{r.N,3}  {r.Candidates,10}  {r.Seconds,7:F1}  {r.Rate,8:F1}  {ideal,9:F1}  {linear,9}  {r.Rate / ideal,8:F3}" +
                              $"  {r.InGeneration,12:F3}  {r.BarrierGap * 1000,8:F0} ms  {r.Cpu,6:F2} cores");
        }
        Console.WriteLine();
        Console.WriteLine("  seconds: search phase, from the journal's last round-completed event (the supernet's last round; evolution starts)");
        Console.WriteLine("  to its search-completed event, as the coordinator wrote them; cand/min = candidates / seconds.");
        Console.WriteLine("  ideal = N * 60 s / cost. vs linear = rate_N / (N * rate_1); vs ideal = rate_N / ideal.");
        Console.WriteLine("  SPOS evolution is generational: it proposes generation g+1 only when every candidate of g is scored (a barrier), so");
        Console.WriteLine("  once per generation every trainer waits for the slowest candidate plus the round trip to propose and dispatch the");
        Console.WriteLine("  next generation. Population is a multiple of 8, so with a fixed cost no trainer idles inside a generation.");
        Console.WriteLine("  barrier gap = mean (first score of generation g+1 - last score of g - cost), from the journal's score events:");
        Console.WriteLine("  the barrier's cost per generation; in-gen/ideal = ideal / actual time from a generation's first to its last score");
        Console.WriteLine("  ((48/N - 1) work items; no barrier in it): the per-work-item overhead (result, journal write, next dispatch) alone.");
        Console.WriteLine("  cluster CPU = CPU time of all nodes and the client / wall time, from the client's first `search` line to its `test`");
        Console.WriteLine("  line (phase changes are printed at once; of 2 cores here; anything else running on the machine, see load, competes too).");
    }

    private static async Task<Result> RunOne(int n, int generations, TimeSpan cost)
    {
        var store = BenchConfig.TempDir($"cluster-scaling-{n}");
        var nodes = new List<NasProcess>();
        NasProcess? client = null;
        var ok = false;
        try
        {
            var controllerPort = NasProcess.FreePort();
            var seeds = $"127.0.0.1:{controllerPort}";
            var controller = NasProcess.Start("controller", Path.Combine(store, "controller.log"),
                "node", "--role", "controller", "--port", controllerPort.ToString(CultureInfo.InvariantCulture), "--seeds", seeds, "--store", store, "--journal", "sqlite");
            nodes.Add(controller);
            await NasProcess.WaitForUp([controller], 1, TimeSpan.FromSeconds(60));
            for (var i = 1; i <= n; i++)
            {
                var port = NasProcess.FreePort();
                nodes.Add(NasProcess.Start($"trainer-{i}", Path.Combine(store, $"trainer-{i}.log"),
                    "node", "--role", "trainer", "--port", port.ToString(CultureInfo.InvariantCulture), "--seeds", seeds, "--devices", "cpu", "--store", store));
            }
            // Every trainer node is a member (Up) before the search starts, so the search phase has all N from the start.
            await NasProcess.WaitForUp(nodes, n + 1, TimeSpan.FromSeconds(120));

            var name = $"scaling-{n}";
            client = NasProcess.Start("client", Path.Combine(store, "client.log"),
                "search", "--cluster", "--seeds", seeds, "--config", Path.Combine(BenchConfig.RepoRoot(), "hocon", "spos-fashion.conf"), "--name", name, "--store", store,
                "--set", "trainers.backend=synthetic", "--set", $"trainers.synthetic-cost={cost.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms",
                "--set", "train.total-steps=1000", "--set", "train.steps-per-round=100", "--set", "retrain.epochs=0",
                "--set", $"strategies.spos-evolution.population-size={Population}", "--set", $"strategies.spos-evolution.generations={generations}");
            // CPU of the cluster over the search phase: sampled at the first `search` line and at the `test` line.
            double Cpu() => nodes.Sum(p => p.CpuSeconds()) + client.CpuSeconds();
            (TimeSpan At, double Cpu)? cpuStart = null, cpuEnd = null;
            var limit = NasProcess.Now + TimeSpan.FromMinutes(8);
            while (!client.HasExited && NasProcess.Now < limit)
            {
                if (cpuStart is null && client.Find(l => PhaseOf(l) == "search") is not null) cpuStart = (NasProcess.Now, Cpu());
                if (cpuEnd is null && client.Find(l => PhaseOf(l) is "test" or "finished") is not null) cpuEnd = (NasProcess.Now, Cpu());
                await Task.Delay(20);
            }
            var code = await client.WaitForExit(TimeSpan.FromSeconds(30));
            if (code != 0) throw new InvalidOperationException($"the search exited with code {code}; {client.Tail()}");

            // The coordinator's journal: when each round, generation and score was written.
            var journal = JournalTimeline.Read(new Runtime.Hosting.ExperimentStore(store).JournalLocation(name).Path, name);
            var start = journal.Of("round-completed").LastOrDefault() ?? throw new InvalidOperationException("the journal has no round-completed event");
            var end = journal.Of("search-completed").FirstOrDefault() ?? throw new InvalidOperationException("the journal has no search-completed event");
            var seconds = (end.Created - start.Created).TotalSeconds;
            // Scores by generation: a score belongs to the generation proposed last before it.
            var byGen = new List<List<DateTime>>();
            foreach (var e in journal.Events)
            {
                if (e.Manifest == "nas.event.generation-proposed.v2") byGen.Add([]);
                else if (e.Manifest == "nas.event.score-recorded.v2" && byGen.Count > 0) byGen[^1].Add(e.Created);
            }
            byGen.RemoveAll(g => g.Count == 0);
            var candidates = byGen.Sum(g => g.Count);
            if (candidates != Population * generations)
                Console.WriteLine($"  note: N={n} scored {candidates} candidates, not {Population * generations} (the space ran out of new architectures?)");
            var gaps = byGen.Zip(byGen.Skip(1), (a, b) => (b[0] - a[^1] - cost).TotalSeconds).ToList();
            // With a fixed cost, a generation's first and last score are (count / N - 1) work items apart when nothing else costs.
            var inGen = byGen.Sum(g => ((double)g.Count / n - 1) * cost.TotalSeconds) / byGen.Sum(g => (g[^1] - g[0]).TotalSeconds);
            var cpu = cpuStart is { } c0 && cpuEnd is { } c1 ? (c1.Cpu - c0.Cpu) / (c1.At - c0.At).TotalSeconds : double.NaN;
            ok = true;
            return new Result(n, generations, candidates, seconds, candidates * 60 / seconds, gaps.Count > 0 ? gaps.Average() : double.NaN, inGen, cpu);
        }
        finally
        {
            if (client is not null) NasProcess.Stop([client]);
            NasProcess.Stop(nodes);
            if (ok) Directory.Delete(store, true);
            else Console.WriteLine($"  N={n} failed; logs kept in {store}");
        }
    }

    private static string? PhaseOf(string line) => Phase().Match(line) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>"500ms", "0.5s" or a bare number of milliseconds.</summary>
    public static TimeSpan Duration(string s)
    {
        s = s.Trim();
        if (s.EndsWith("ms", StringComparison.Ordinal)) return TimeSpan.FromMilliseconds(double.Parse(s[..^2], CultureInfo.InvariantCulture));
        if (s.EndsWith('s')) return TimeSpan.FromSeconds(double.Parse(s[..^1], CultureInfo.InvariantCulture));
        return TimeSpan.FromMilliseconds(double.Parse(s, CultureInfo.InvariantCulture));
    }
}
