using System.Globalization;
using System.Text.RegularExpressions;

namespace NasActors.Bench;

/// <summary>
/// Candidates scored per minute by a real cluster of OS processes: one controller-only `nas node` and N trainer-only
/// nodes (one CPU device each), SQLite journal, against the synthetic backend (every work item sleeps a fixed time),
/// so the figure measures the runtime (dispatch, remoting, journal, evolution), not the cores. A fresh store and fresh
/// ports for every N.
/// </summary>
internal static partial class ClusterScalingBench
{
    private const int Population = 48;

    /// <summary>Each N's search phase lasts about this long at the ideal rate (more generations for more trainers).</summary>
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(20);

    [GeneratedRegex(@"^\[\d+:\d\d\] (\w+)\s")]
    private static partial Regex Phase();

    [GeneratedRegex(@" scored (\d+) ")]
    private static partial Regex Scored();

    [GeneratedRegex(@" generation (\d+)/")]
    private static partial Regex Generation();

    /// <param name="BarrierGap">Mean time from a generation's last score to the next generation's first, less one work item.</param>
    /// <param name="InGeneration">Ideal / actual time between a generation's first and last score (no barrier in it).</param>
    /// <param name="Cpu">CPU cores the cluster's processes (nodes and client) used, on average, during the search phase.</param>
    private sealed record Result(int N, int Generations, int Candidates, double Seconds, double Rate, double FromFirstLineSeconds,
        double BarrierGap, double InGeneration, double Cpu);

    public static async Task Run(string[] args)
    {
        var cost = args.Length > 0 ? Duration(args[0]) : TimeSpan.FromMilliseconds(500);
        int[] ns = args.Length > 1 ? [.. args[1].Split(',').Select(int.Parse)] : [1, 2, 4, 8];
        Console.WriteLine($"cluster-scaling: 1 controller node + N trainer nodes (1 cpu device each), separate processes, SQLite journal; synthetic cost {cost.TotalMilliseconds:F0} ms per work item");
        Console.WriteLine($"  hocon/spos-fashion.conf, population {Population}, generations per N so the search lasts ~{Target.TotalSeconds:F0} s at the ideal rate; load {BenchConfig.LoadAverage()}");
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
        Console.WriteLine("  N  candidates  seconds  cand/min  ideal/min  vs linear  vs ideal  (first-line)  in-gen/ideal  barrier gap  cluster CPU");
        foreach (var r in results)
        {
            var ideal = r.N * 60 / cost.TotalSeconds;
            var linear = rate1 is { } r1 ? (r.Rate / (r.N * r1)).ToString("F3", CultureInfo.InvariantCulture) : "-";
            var firstLine = (r.Candidates - 1) * 60 / r.FromFirstLineSeconds;
            Console.WriteLine($"{r.N,3}  {r.Candidates,10}  {r.Seconds,7:F1}  {r.Rate,8:F1}  {ideal,9:F1}  {linear,9}  {r.Rate / ideal,8:F3}  {$"({firstLine:F1})",12}" +
                              $"  {r.InGeneration,12:F3}  {r.BarrierGap * 1000,8:F0} ms  {r.Cpu,6:F2} cores");
        }
        Console.WriteLine();
        Console.WriteLine("  seconds: search phase, from the last supernet line (evolution starts) to the `test` line, as the lines reached this");
        Console.WriteLine("  process; cand/min = candidates / seconds. (first-line cand/min) times from the first `search` line instead, which");
        Console.WriteLine("  comes only after the first candidate is scored, so it misses up to one work item per trainer and reads high.");
        Console.WriteLine("  ideal = N * 60 s / cost. vs linear = rate_N / (N * rate_1); vs ideal = rate_N / ideal.");
        Console.WriteLine("  SPOS evolution is generational: it proposes generation g+1 only when every candidate of g is scored (a barrier), so");
        Console.WriteLine("  once per generation every trainer waits for the slowest candidate plus the round trip to propose and dispatch the");
        Console.WriteLine("  next generation. Population is a multiple of 8, so with a fixed cost no trainer idles inside a generation.");
        Console.WriteLine("  barrier gap = mean (first score of generation g+1 - last score of g - cost): the barrier's cost per generation;");
        Console.WriteLine("  in-gen/ideal = ideal / actual time from a generation's first to its last score ((48/N - 1) work items; no barrier in it):\n" +
                          "  the per-work-item overhead (result, journal write, next dispatch) alone.");
        Console.WriteLine("  cluster CPU = CPU time of all nodes and the client / wall time, first `search` line to `test` line (of 2 cores here;");
        Console.WriteLine("  anything else running on the machine, see load, competes for them too).");
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
                "--set", "train.total-steps=1000", "--set", "train.steps-per-round=100",
                "--set", $"search.population-size={Population}", "--set", $"search.generations={generations}");
            // CPU of the cluster over the search phase: sampled at the first `search` line and at the `test` line.
            double Cpu() => nodes.Sum(p => p.CpuSeconds()) + client.CpuSeconds();
            (TimeSpan At, double Cpu)? cpuStart = null, cpuEnd = null;
            var limit = NasProcess.Now + TimeSpan.FromMinutes(8);
            while (!client.HasExited && NasProcess.Now < limit)
            {
                if (cpuStart is null && client.Find(l => l.Contains("] search ")) is not null) cpuStart = (NasProcess.Now, Cpu());
                if (cpuEnd is null && client.Find(l => l.Contains("] test ")) is not null) cpuEnd = (NasProcess.Now, Cpu());
                await Task.Delay(20);
            }
            var code = await client.WaitForExit(TimeSpan.FromSeconds(30));
            if (code != 0) throw new InvalidOperationException($"the search exited with code {code}; {client.Tail()}");

            var lines = client.Lines();
            var firstSearch = lines.First(l => PhaseOf(l) == "search");
            var test = lines.First(l => l.Index > firstSearch.Index && PhaseOf(l) == "test");
            var lastSearch = lines.Last(l => l.Index < test.Index && PhaseOf(l) == "search");
            var candidates = int.Parse(Scored().Match(lastSearch.Text).Groups[1].Value, CultureInfo.InvariantCulture);
            if (candidates != Population * generations)
                Console.WriteLine($"  note: N={n} scored {candidates} candidates, not {Population * generations} (the space ran out of new architectures?)");
            // The search starts when the last supernet round is merged: that line is the start. The client only hears what
            // is published after its pub-sub subscription has reached the coordinator's node (gossip), so the supernet
            // phase lasts a few seconds (5 rounds) to be heard; if it was not, generation 1 is left out: the start is then
            // generation 2's first score less one work item, and the candidates those of generations 2 on.
            var start = lines.LastOrDefault(l => l.Index < firstSearch.Index && PhaseOf(l) == "supernet");
            double seconds;
            var measured = candidates;
            if (start is not null) seconds = (test.Arrived - start.Arrived).TotalSeconds;
            else
            {
                var gen2 = lines.First(l => l.Index > firstSearch.Index && PhaseOf(l) == "search" && Generation().Match(l.Text).Groups[1].Value == "2");
                seconds = (test.Arrived - gen2.Arrived + cost).TotalSeconds;
                measured = candidates - Population;
                Console.WriteLine($"  note: N={n}: the client heard no supernet line (its first line: {firstSearch.Text.Trim()}); timed from generation 2");
            }

            // Per generation: its first and last score line.
            var byGen = lines.Where(l => l.Index >= firstSearch.Index && l.Index < test.Index && PhaseOf(l) == "search")
                .GroupBy(l => int.Parse(Generation().Match(l.Text).Groups[1].Value, CultureInfo.InvariantCulture))
                .OrderBy(g => g.Key).Select(g => (First: g.First(), Last: g.Last(), Count: g.Count())).ToList();
            var gaps = byGen.Zip(byGen.Skip(1), (a, b) => (b.First.Arrived - a.Last.Arrived - cost).TotalSeconds).ToList();
            // With a fixed cost, a generation's first and last score are (count / N - 1) work items apart when nothing else costs.
            var inGen = byGen.Sum(g => ((double)g.Count / n - 1) * cost.TotalSeconds) / byGen.Sum(g => (g.Last.Arrived - g.First.Arrived).TotalSeconds);
            var cpu = cpuStart is { } c0 && cpuEnd is { } c1 ? (c1.Cpu - c0.Cpu) / (c1.At - c0.At).TotalSeconds : double.NaN;
            ok = true;
            return new Result(n, generations, candidates, seconds, measured * 60 / seconds, (test.Arrived - firstSearch.Arrived).TotalSeconds,
                gaps.Count > 0 ? gaps.Average() : double.NaN, inGen, cpu);
        }
        finally
        {
            if (client is not null) NasProcess.Stop([client]);
            NasProcess.Stop(nodes);
            if (ok) Directory.Delete(store, true);
            else Console.WriteLine($"  N={n} failed; logs kept in {store}");
        }
    }

    private static string? PhaseOf(NasProcess.Line l) => Phase().Match(l.Text) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>"500ms", "0.5s" or a bare number of milliseconds.</summary>
    public static TimeSpan Duration(string s)
    {
        s = s.Trim();
        if (s.EndsWith("ms", StringComparison.Ordinal)) return TimeSpan.FromMilliseconds(double.Parse(s[..^2], CultureInfo.InvariantCulture));
        if (s.EndsWith('s')) return TimeSpan.FromSeconds(double.Parse(s[..^1], CultureInfo.InvariantCulture));
        return TimeSpan.FromMilliseconds(double.Parse(s, CultureInfo.InvariantCulture));
    }
}
