using System.Globalization;
using System.Text.RegularExpressions;

namespace NasActors.Bench;

/// <summary>
/// Failover times of a 3-node cluster like ./run-cluster.sh's (nodes 1-2 controller+trainer, node 3 trainer; one CPU
/// device each; SQLite journal, or PostgreSQL when NAS_POSTGRES is set) running a synthetic search (300 ms per work
/// item). (a) kill -9 the trainer-only node: time to the coordinator's `trainer ... stopped` and to its first `work ...
/// handed out again`. (b) kill -9 the coordinator's node: time to the other controller's `coordinator ... started on`,
/// `runs experiment` and `first work since start`. The search must then finish (client exit code 0). Times are
/// from the kill (UTC, this process) to the UTC timestamps of the nodes' Akka log lines.
/// </summary>
internal static partial class ClusterFailoverBench
{
    [GeneratedRegex(@" scored (\d+)/")]
    private static partial Regex Scored();

    private static bool Mentions(string line, int port) => Regex.IsMatch(line, $@"127\.0\.0\.1:{port}(?!\d)");

    private static readonly string[] Search =
    [
        "--set", "trainers.backend=synthetic", "--set", "trainers.synthetic-cost=300ms",
        "--set", "train.total-steps=100", "--set", "train.steps-per-round=100",
        "--set", "strategies.spos-evolution.population-size=24", "--set", "strategies.spos-evolution.generations=12",
        "--set", "retrain.epochs=0", // the search alone, as measured before the default job retrained
    ];

    public static async Task Run(string[] args)
    {
        var reps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
        var journal = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NAS_POSTGRES")) ? "sqlite" : "postgres";
        Console.WriteLine($"cluster-failover: 3 nodes (1-2 controller+trainer, 3 trainer; 1 cpu device each), {journal} journal, synthetic search 300 ms/work item,");
        Console.WriteLine($"  spos-fashion space, population 24 x 12 generations; failure detector: heartbeat 1 s, acceptable pause 3 s; SBR keep-majority, stable-after 5 s");
        Console.WriteLine($"  load {BenchConfig.LoadAverage()}");
        var a = new List<double?[]>();
        var b = new List<double?[]>();
        for (var rep = 1; rep <= reps; rep++)
        {
            var (ra, rb) = await RunOne(rep, reps, journal);
            a.Add(ra);
            b.Add(rb);
        }
        if (reps > 1)
        {
            static string Mean(IEnumerable<double?> xs) => xs.Where(x => x.HasValue).Select(x => x!.Value).ToList() is { Count: > 0 } v
                ? $"{Stats.Mean(v),6:F2} s" + (v.Count > 1 ? $" ± {Stats.Std(v):F2}" : "") : "     -";
            Console.WriteLine($"mean over {reps} repetitions (± sample std):");
            string[] na = ["unreachable", "SBR downing", "trainer stopped", "handed out again"];
            string[] nb = ["unreachable", "SBR downing", "coordinator started", "runs experiment", "first work"];
            Console.WriteLine("  (a) trainer node: " + string.Join("  ", na.Select((n, i) => $"{n} {Mean(a.Select(r => r[i]))}")));
            Console.WriteLine("  (b) coordinator node: " + string.Join("  ", nb.Select((n, i) => $"{n} {Mean(b.Select(r => r[i]))}")));
        }
    }

    private static async Task<(double?[] A, double?[] B)> RunOne(int rep, int reps, string journal)
    {
        var store = BenchConfig.TempDir("cluster-failover");
        var nodes = new NasProcess[3];
        NasProcess? client = null;
        var ok = false;
        try
        {
            var ports = new int[3];
            for (var i = 0; i < 3; i++) ports[i] = NasProcess.FreePort();
            var seeds = $"127.0.0.1:{ports[0]},127.0.0.1:{ports[1]}";
            NasProcess StartNode(int i) => nodes[i] = NasProcess.Start($"node-{i + 1}", Path.Combine(store, $"node-{i + 1}.log"),
                "node", "--role", i < 2 ? "controller,trainer" : "trainer", "--port", ports[i].ToString(CultureInfo.InvariantCulture), "--seeds", seeds,
                "--devices", "cpu", "--store", store, "--journal", journal);
            // Node 1 first: as the oldest controller it hosts the coordinator singleton.
            StartNode(0);
            await NasProcess.WaitForUp([nodes[0]], 1, TimeSpan.FromSeconds(60));
            StartNode(1);
            StartNode(2);
            await NasProcess.WaitForUp(nodes, 3, TimeSpan.FromSeconds(120));

            // Unique: a PostgreSQL journal outlives the store, and an old experiment of the same name would be resumed.
            var name = $"failover-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{rep}";
            client = NasProcess.Start("client", Path.Combine(store, "client.log"),
                ["search", "--cluster", "--seeds", seeds, "--config", Path.Combine(BenchConfig.RepoRoot(), "hocon", "spos-fashion.conf"), "--name", name, "--store", store, .. Search]);
            // A few candidates into the search phase: every trainer is busy.
            await client.WaitFor(l => Scored().Match(l) is { Success: true } m && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) >= 6,
                TimeSpan.FromMinutes(3), "search progress");

            // (a) the trainer-only node.
            var coordinator = nodes[0].Find(l => l.Contains("runs experiment '" + name + "'")) is not null ? 0
                : nodes[1].Find(l => l.Contains("runs experiment '" + name + "'")) is not null ? 1
                : throw new InvalidOperationException("neither controller logged `runs experiment`");
            var survivor = 1 - coordinator;
            var c = nodes[coordinator];
            var from = c.Lines().Count;
            var killA = nodes[2].Kill9();
            var node3 = $":{ports[2]}/";
            var stopped = await c.WaitFor(l => l.Contains("stopped; its work is handed out again") && l.Contains(node3), TimeSpan.FromSeconds(60), "`trainer ... stopped` for node 3", from);
            // Work node 3 held is handed out as soon as a trainer is idle; if it held none, there is no such line.
            NasProcess.Line? again = null;
            var limit = NasProcess.Now + TimeSpan.FromSeconds(10);
            while (again is null && NasProcess.Now < limit)
            {
                again = c.Find(l => l.Contains(" handed out again, to "), stopped.Index);
                if (again is null) await Task.Delay(50);
            }
            double? Since(DateTime kill, NasProcess.Line? l) => l?.LoggedUtc is { } t ? (t - kill).TotalSeconds : null;
            // Any surviving node may log these (SBR decides on the leader: the member with the lowest address); the earliest counts.
            NasProcess.Line? Earliest(IEnumerable<NasProcess> survivors, DateTime after, Func<string, bool> match) =>
                survivors.SelectMany(p => p.Lines()).Where(l => match(l.Text) && l.LoggedUtc >= after.AddSeconds(-1)).MinBy(l => l.LoggedUtc);
            static bool Sbr(string l) => l.Contains("SBR took decision") || l.Contains("SBR is downing");
            var ra = new[]
            {
                Since(killA.AtUtc, Earliest(nodes[..2], killA.AtUtc, l => l.Contains("Marking node(s) as UNREACHABLE") && Mentions(l, ports[2]))),
                Since(killA.AtUtc, Earliest(nodes[..2], killA.AtUtc, l => Sbr(l) && Mentions(l, ports[2]))),
                Since(killA.AtUtc, stopped),
                Since(killA.AtUtc, again),
            };

            // (b) the coordinator's node.
            var s = nodes[survivor];
            from = s.Lines().Count;
            var killB = c.Kill9();
            var started = await s.WaitFor(l => l.Contains("coordinator ") && l.Contains(" started on "), TimeSpan.FromSeconds(90), "`coordinator ... started on`", from);
            var runs = await s.WaitFor(l => l.Contains("runs experiment '" + name + "'"), TimeSpan.FromSeconds(60), "`runs experiment`", from);
            var first = await s.WaitFor(l => l.Contains("first work since start:"), TimeSpan.FromSeconds(60), "`first work since start`", from);
            var rb = new[]
            {
                Since(killB.AtUtc, Earliest([s], killB.AtUtc, l => l.Contains("Marking node(s) as UNREACHABLE") && Mentions(l, ports[coordinator]))),
                Since(killB.AtUtc, Earliest([s], killB.AtUtc, l => Sbr(l) && Mentions(l, ports[coordinator]))),
                Since(killB.AtUtc, started),
                Since(killB.AtUtc, runs),
                Since(killB.AtUtc, first),
            };

            var code = await client.WaitForExit(TimeSpan.FromMinutes(4));
            var done = client.Find(l => l.StartsWith("done: ", StringComparison.Ordinal));
            var scored = client.Lines().LastOrDefault(l => Scored().IsMatch(l.Text)) is { } last ? Scored().Match(last.Text).Groups[1].Value : "?";

            static string F(double? x) => x is { } v ? $"{v,6:F2} s" : "     -";
            Console.WriteLine($"repetition {rep}/{reps}:");
            Console.WriteLine($"  (a) kill -9 node 3 (trainer only) with the search {Scored().Match(client.Lines().Last(l => l.Arrived <= killA.At && Scored().IsMatch(l.Text)).Text).Groups[1].Value} candidates in; on node {coordinator + 1} (coordinator; unreachable/SBR: earliest on nodes 1-2):");
            Console.WriteLine($"      marked unreachable   {F(ra[0])}");
            const string NoSbr = "   (not logged: the deciding leader, the lowest address, was the client, which logs errors only)";
            Console.WriteLine($"      SBR downs it          {F(ra[1])}{(ra[1] is null ? NoSbr : "")}");
            Console.WriteLine($"      trainer stopped       {F(ra[2])}   <- failover time for a trainer node");
            Console.WriteLine($"      work handed out again {F(ra[3])}" + (again is null ? "   (node 3 held no work at the kill)" : $"   ({again.Text[(again.Text.IndexOf("] work ", StringComparison.Ordinal) + 7)..].Split(' ')[0]})"));
            Console.WriteLine($"  (b) kill -9 node {coordinator + 1} (coordinator, verified by its `runs experiment` line); on node {survivor + 1}:");
            Console.WriteLine($"      marked unreachable   {F(rb[0])}");
            Console.WriteLine($"      SBR downs it          {F(rb[1])}{(rb[1] is null ? NoSbr : "")}");
            Console.WriteLine($"      coordinator started   {F(rb[2])}");
            Console.WriteLine($"      runs experiment       {F(rb[3])}   (journal recovered)");
            Console.WriteLine($"      first work            {F(rb[4])}   <- failover time for the singleton's node");
            Console.WriteLine($"  search: client exit code {code}, {scored} candidates scored (24 x 12 = 288 expected); {done?.Text ?? "no `done:` line"}");
            if (code != 0) throw new InvalidOperationException($"the search exited with code {code}; {client.Tail()}");
            ok = true;
            return (ra, rb);
        }
        finally
        {
            if (client is not null) NasProcess.Stop([client]);
            NasProcess.Stop([.. nodes.Where(n => n is not null)]);
            if (ok) Directory.Delete(store, true);
            else Console.WriteLine($"  repetition {rep} failed; logs kept in {store}");
        }
    }
}
