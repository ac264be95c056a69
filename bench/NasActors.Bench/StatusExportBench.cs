using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace NasActors.Bench;

/// <summary>
/// `nas status NAME` and `nas export NAME` on a large experiment, each a separate CLI process timed from start to exit
/// (wall time; one untimed warm-up, then the median, min and max of 5). The experiment is made quickly by a real
/// `nas search` process with the synthetic backend at zero cost: hocon/spos-fashion.conf with a large spos-evolution
/// population and enough generations for at least N scored candidates (1,200 by default), stage depths [4,4,4] and no
/// FLOPs limit, so the space (16.8 M architectures) never runs dry. `nas help` is timed the same way: the floor that any
/// CLI process pays (.NET start-up, assembly loading) before reading anything.
/// The same is done with the version before the one-engine change (commit e2e8dbd, whose status and export recovered the
/// experiment through an ActorSystem and the persistence plugin) when its Release build is found (/work/golden-v1, or
/// NAS_GOLDEN_V1=path of that checkout), on an equivalent experiment written with its own config keys.
/// </summary>
internal static partial class StatusExportBench
{
    private const int Population = 100;
    private const int Repeats = 5;

    private sealed record Version(string Label, string Dll, string Config, string[] SearchOverrides);

    public static async Task Run(string[] args)
    {
        var target = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1200;
        var generations = (target + Population - 1) / Population;
        var root = BenchConfig.RepoRoot();
        string[] common = ["train.total-steps=100", "train.steps-per-round=50", "trainers.backend=synthetic", "trainers.synthetic-cost=0s", "search.max-flops=0"];
        var versions = new List<Version>
        {
            new("this version", NasProcess.CliDll(), Path.Combine(root, "hocon", "spos-fashion.conf"),
            [
                .. common, "retrain.epochs=0", "spaces.spos-shufflenet.stage-depths=[4,4,4]", $"strategies.spos-evolution.population-size={Population}",
                $"strategies.spos-evolution.generations={generations}", "strategies.spos-evolution.top-k=10",
                "strategies.spos-evolution.mutation-count=40", "strategies.spos-evolution.crossover-count=40",
            ]),
        };
        var golden = Environment.GetEnvironmentVariable("NAS_GOLDEN_V1") is { Length: > 0 } g ? g : "/work/golden-v1";
        var goldenDll = Path.Combine(golden, "src", "NasActors.Cli", "bin", "Release", "net10.0", "nas.dll");
        if (File.Exists(goldenDll))
            versions.Add(new Version("e2e8dbd (before)", goldenDll, Path.Combine(golden, "hocon", "spos-fashion.conf"),
            [
                .. common, "supernet.stage-depths=[4,4,4]", $"search.population-size={Population}", $"search.generations={generations}",
                "search.top-k=10", "search.mutation-count=40", "search.crossover-count=40",
            ]));

        Console.WriteLine($"status-export: an experiment of >= {target} scored candidates ({generations} generations of {Population}, spos-evolution, synthetic backend at 0 s," +
                          $" spos-shufflenet with stage depths [4,4,4], no FLOPs limit), made by `nas search`; then `nas status NAME` and `nas export NAME`,");
        Console.WriteLine($"  each a separate process, wall time from start to exit: one warm-up, then median [min-max] of {Repeats}; load {BenchConfig.LoadAverage()}");
        if (!File.Exists(goldenDll)) Console.WriteLine($"  (no Release build of e2e8dbd at {goldenDll}: set NAS_GOLDEN_V1 to its checkout to compare)");
        var rows = new List<(string Label, double Help, double Status, double Export, long Events, int Scored, double Search)>();
        foreach (var v in versions)
        {
            var store = BenchConfig.TempDir("status-export");
            var ok = false;
            try
            {
                const string name = "big";
                var clock = Stopwatch.StartNew();
                using (var search = NasProcess.StartDll("search", Path.Combine(store, "search.log"), v.Dll,
                           ["search", "--config", v.Config, "--name", name, "--store", store, .. v.SearchOverrides.SelectMany(o => new[] { "--set", o })]))
                {
                    var code = await search.WaitForExit(TimeSpan.FromMinutes(10));
                    if (code != 0) throw new InvalidOperationException($"{v.Label}: nas search exited with code {code}; {search.Tail()}");
                }
                var searchSeconds = clock.Elapsed.TotalSeconds;
                var journalDb = Path.Combine(store, name, "journal.db");
                var events = JournalTimeline.CountRows(journalDb);
                var snapshots = JournalTimeline.CountSnapshots(Path.Combine(store, name, "snapshots.db"));

                var help = await Time(v, store, "help", ["help"]);
                var status = await Time(v, store, "status", ["status", name, "--store", store]);
                var export = await Time(v, store, "export", ["export", name, "--store", store]);
                var scored = ScoredOf(status.Output);
                Console.WriteLine($"  {v.Label}: search of {scored} candidates took {searchSeconds:F1} s; journal {events:N0} events (all rows of STORE/{name}/journal.db), {snapshots} snapshot(s)");
                Console.WriteLine($"    nas help    {help.Text}");
                Console.WriteLine($"    nas status  {status.Text}");
                Console.WriteLine($"    nas export  {export.Text}");
                Console.WriteLine($"    status says: {string.Join(" | ", status.Output.Where(l => l.Contains("phase") || l.Contains("journal") || l.Contains("candidates scored")).Take(3).Select(l => l.Trim()))}");
                rows.Add((v.Label, help.Median, status.Median, export.Median, events, scored, searchSeconds));
                ok = true;
            }
            finally
            {
                if (ok) Directory.Delete(store, true);
                else Console.WriteLine($"  {v.Label} failed; logs kept in {store}");
            }
        }

        Console.WriteLine();
        Console.WriteLine("  version            scored  events   help (s)  status (s)  export (s)  status-help  export-help");
        foreach (var r in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {r.Label,-17} {r.Scored,7}  {r.Events,6}   {r.Help,8:F2}  {r.Status,10:F2}  {r.Export,10:F2}  {r.Status - r.Help,11:F2}  {r.Export - r.Help,11:F2}"));
        Console.WriteLine("  (medians; status-help and export-help: what reading the experiment adds to a bare CLI process)");
    }

    private sealed record Timing(double Median, string Text, IReadOnlyList<string> Output);

    private static async Task<Timing> Time(Version v, string store, string what, string[] args)
    {
        var seconds = new List<double>();
        IReadOnlyList<string> output = [];
        for (var i = 0; i <= Repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            using var p = NasProcess.StartDll(what, Path.Combine(store, $"{what}-{i}.log"), v.Dll, args);
            var code = await p.WaitForExit(TimeSpan.FromMinutes(2));
            var elapsed = clock.Elapsed.TotalSeconds;
            if (code != 0) throw new InvalidOperationException($"{v.Label}: nas {string.Join(' ', args)} exited with code {code}; {p.Tail()}");
            output = [.. p.Lines().Select(l => l.Text)];
            if (i > 0) seconds.Add(elapsed); // the first is the warm-up (file cache, JIT'd images)
        }
        seconds.Sort();
        var median = seconds[seconds.Count / 2];
        return new Timing(median, string.Create(CultureInfo.InvariantCulture, $"{median,6:F2} s  [{seconds[0]:F2}-{seconds[^1]:F2}]  ({output.Count} lines of output)"), output);
    }

    /// <summary>The candidates scored, from status output: "... scored 1200/1200 ..." (this version) or "..., 1200 candidates scored, ..." (e2e8dbd).</summary>
    private static int ScoredOf(IReadOnlyList<string> lines)
    {
        foreach (var l in lines)
        {
            if (ScoredNew().Match(l) is { Success: true } m) return int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            if (ScoredOld().Match(l) is { Success: true } o) return int.Parse(o.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        return -1;
    }

    [GeneratedRegex(@" scored (\d+)/")]
    private static partial Regex ScoredNew();

    [GeneratedRegex(@"(\d+) candidates scored")]
    private static partial Regex ScoredOld();
}
