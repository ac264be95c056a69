using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace NasActors.Bench;

/// <summary>
/// DARTS against random search on the DARTS cell space, judged by what a user keeps: each method's result retrained from
/// scratch. Everything runs through the real CLI (`nas search`, `nas export`, `nas train`) in one store under
/// bench-out/darts-quality, so each step is what a user would type and can be resumed or inspected afterwards.
/// <para>
/// Per seed: DARTS (hocon/darts-fashion.conf) and random search with the same file and seed (`nas.strategy = random`: its
/// single-path supernet trains the same steps of the same batches, then scores its candidates with the shared weights);
/// then both results are retrained by `nas train --config hocon/darts-train-fashion.conf` with the same seed, side by side
/// with one intra-op thread each (so a retrain's wall time is that of one core). Equal
/// compute here means equal supernet training images; a DARTS step (all 8 ops on every edge) costs several single-path
/// steps, so the wall times are printed too. Once: the NNI tutorial's two cells (examples/darts) retrained the same way.
/// Prints each run, then mean ± std per method and a paired t-test (DARTS - random, seeds paired).
/// </para>
/// <para>`--smoke` swaps in hocon/darts-smoke.conf and hocon/train-smoke.conf: a check that the pipeline works, not a measurement.</para>
/// </summary>
internal static class DartsQualityBench
{
    private sealed record Retrained(double TestAccuracy, long Params, double SearchSeconds, double TrainSeconds, double SharedTest);

    public static async Task Run(string[] args)
    {
        var smoke = args.Contains("--smoke");
        var seeds = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(int.Parse).DefaultIfEmpty(3).First();
        var (search, train) = smoke ? ("hocon/darts-smoke.conf", "hocon/train-smoke.conf") : ("hocon/darts-fashion.conf", "hocon/darts-train-fashion.conf");
        var store = Path.Combine(BenchConfig.RepoRoot(), "bench-out", "darts-quality" + (smoke ? "-smoke" : ""));
        Directory.CreateDirectory(store);
        Console.WriteLine($"darts-quality: {seeds} seed(s), search {search}, retrain {train}, store {store}");

        // Random search reads the same file without its DARTS section (a section of a strategy not selected is refused).
        var configs = new Dictionary<string, string> { ["darts"] = search, ["random"] = WithoutSection(search, "strategies.darts", store) };
        var results = new Dictionary<string, List<Retrained>> { ["darts"] = [], ["random"] = [] };
        for (var seed = 1; seed <= seeds; seed++)
        {
            var searched = new List<(string Method, string Name, string File, double Seconds, double SharedTest)>();
            foreach (var method in results.Keys)
            {
                var name = $"{method}-{seed}";
                var searchSeconds = await Nas(store, name, "search", "--config", configs[method], "--name", name, "--store", store, "--quiet",
                    "--set", $"nas.strategy={method}", "--set", $"nas.experiment.seed={seed}");
                var export = Export(store, name);
                var file = Path.Combine(store, name + ".json");
                await File.WriteAllTextAsync(file, export.GetRawText());
                searched.Add((method, name, file, searchSeconds, export.GetProperty("test").GetProperty("accuracy").GetDouble()));
            }
            var retrained = await Task.WhenAll(searched.Select(s => Train(store, s.File, s.Name + "-train", train, seed, s.Seconds, s.SharedTest)));
            foreach (var (s, r) in searched.Zip(retrained))
            {
                results[s.Method].Add(r);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  seed {seed} {s.Method,-6}  search {r.SearchSeconds,6:F0} s (shared-weight test {r.SharedTest:P2})  retrained {r.TestAccuracy:P2}, {r.Params:N0} params, {r.TrainSeconds:F0} s"));
            }
        }

        string[] tutorials = ["nni-tutorial-darts.json", "nni-tutorial-darts-clipped.json"];
        var tutorialRuns = await Task.WhenAll(tutorials.Select(t =>
            Train(store, Path.Combine(BenchConfig.RepoRoot(), "examples", "darts", t), Path.GetFileNameWithoutExtension(t) + "-train", train, 1, 0, double.NaN)));
        foreach (var (tutorial, r) in tutorials.Zip(tutorialRuns))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {tutorial,-32} retrained {r.TestAccuracy:P2}, {r.Params:N0} params, {r.TrainSeconds:F0} s"));

        Console.WriteLine("retrained test accuracy, mean ± std over seeds:");
        foreach (var (method, rs) in results)
        {
            var acc = rs.Select(r => r.TestAccuracy).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {method,-6} {Stats.Mean(acc):P2} ± {Stats.Std(acc):P2}   search {Stats.Mean(rs.Select(r => r.SearchSeconds).ToList()):F0} s, retrain {Stats.Mean(rs.Select(r => r.TrainSeconds).ToList()):F0} s"));
        }
        if (seeds >= 2)
        {
            var (t, df, p) = Stats.PairedT(results["darts"].Select(r => r.TestAccuracy).ToList(), results["random"].Select(r => r.TestAccuracy).ToList());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  paired t (darts - random): t = {t:F2}, df = {df}, p = {p:F3}"));
        }
    }

    /// <summary>A copy of <paramref name="file"/> in <paramref name="dir"/> without the block `key { ... }` (flat, as the shipped files write it).</summary>
    private static string WithoutSection(string file, string key, string dir)
    {
        var text = File.ReadAllText(Path.Combine(BenchConfig.RepoRoot(), file));
        var start = text.IndexOf(key + " {", StringComparison.Ordinal);
        if (start >= 0)
        {
            var end = start + key.Length;
            for (var depth = 0; end < text.Length; end++)
            {
                if (text[end] == '{') depth++;
                else if (text[end] == '}' && --depth == 0) break;
            }
            text = text[..start] + text[(end + 1)..];
        }
        var copy = Path.Combine(dir, "without-" + key.Replace('.', '-') + "-" + Path.GetFileName(file));
        File.WriteAllText(copy, text);
        return copy;
    }

    private static async Task<Retrained> Train(string store, string file, string name, string config, int seed, double searchSeconds, double sharedTest)
    {
        // Retrains run two at a time, each one trainer of one intra-op thread: on 2 cores a pair then finishes 2.4x sooner
        // than one after the other on two threads (measured: 57-65 images/s each side by side, 51 alone on two threads).
        var seconds = await Nas(store, name, "train", file, "--config", config, "--name", name, "--store", store, "--quiet", "--set", $"nas.experiment.seed={seed}",
            "--set", "nas.trainers.devices=[cpu]", "--set", "nas.trainers.intra-op-threads=1");
        var retrained = Export(store, name).GetProperty("retrained");
        return new Retrained(retrained.GetProperty("test_accuracy").GetDouble(), retrained.GetProperty("params").GetInt64(), searchSeconds, seconds, sharedTest);
    }

    /// <summary>Runs one `nas` command to its end (log in the store) and returns its wall time; a finished experiment is reused, not run again.</summary>
    private static async Task<double> Nas(string store, string name, params string[] args)
    {
        var done = Path.Combine(store, name + ".seconds");
        if (File.Exists(done)) return double.Parse(await File.ReadAllTextAsync(done), CultureInfo.InvariantCulture);
        var sw = Stopwatch.StartNew();
        using var p = NasProcess.Start(name, Path.Combine(store, name + ".log"), args);
        var code = await p.WaitForExit(TimeSpan.FromHours(3));
        if (code != 0) throw new InvalidOperationException($"nas {string.Join(' ', args)} failed ({code}):\n{p.Tail()}");
        await File.WriteAllTextAsync(done, sw.Elapsed.TotalSeconds.ToString("R", CultureInfo.InvariantCulture));
        return sw.Elapsed.TotalSeconds;
    }

    private static JsonElement Export(string store, string name)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { NasProcess.CliDll(), "export", name, "--store", store }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var json = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"nas export {name} failed: {p.StandardError.ReadToEnd()}");
        return JsonDocument.Parse(json).RootElement.Clone();
    }
}
