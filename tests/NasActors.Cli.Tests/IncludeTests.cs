namespace NasActors.Cli.Tests;

/// <summary>
/// HOCON includes through the real CLI: experiment configs (`nas search`), node configs (`nas node --config`) and
/// `--node-config`; what an experiment stores is the expanded text, so resuming never reads the included files again.
/// </summary>
public sealed class IncludeTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(4);
    private static readonly string Smoke = Path.Combine(CliProcess.RepoRoot, "hocon", "smoke.conf");

    private static string Export(string store, string name)
    {
        var file = Path.Combine(store, name + ".json");
        var (code, _, err) = CliProcess.Run(Long, "export", name, "--store", store, "--out", file);
        Assert.True(code == 0, $"export failed ({code}): {err}");
        return File.ReadAllText(file);
    }

    private static string[] Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void AssertUserError((int Code, string Out, string Err) r, params string[] mustMention)
    {
        Assert.True(r.Code == 2, $"exit code {r.Code}, expected 2; stdout:\n{r.Out}\nstderr:\n{r.Err}");
        var line = Assert.Single(Lines(r.Err));
        Assert.StartsWith("error: ", line);
        foreach (var m in mustMention) Assert.Contains(m, line);
        Assert.DoesNotContain("   at ", r.Err + r.Out);
    }

    /// <summary>An experiment directory: base/smoke-base.conf (a copy of hocon/smoke.conf) and top.conf, which includes it.</summary>
    private static (string Top, string Base) ExperimentFiles(TempStore tmp, string extra)
    {
        var dir = Path.Combine(tmp.Path, "configs");
        Directory.CreateDirectory(Path.Combine(dir, "base"));
        var basePath = Path.Combine(dir, "base", "smoke-base.conf");
        File.Copy(Smoke, basePath);
        // smoke.conf itself includes its full-size sibling, relative to itself: it comes along.
        File.Copy(Path.Combine(Path.GetDirectoryName(Smoke)!, "spos-fashion.conf"), Path.Combine(dir, "base", "spos-fashion.conf"));
        var top = Path.Combine(dir, "top.conf");
        File.WriteAllText(top, "include required(\"base/smoke-base.conf\")\n" + extra);
        return (top, basePath);
    }

    [Fact]
    public void Search_must_resume_exactly_after_its_included_base_file_is_edited_and_then_deleted()
    {
        using var tmp = new TempStore();
        // The synthetic backend (every work item sleeps 200 ms, results are hashes of what was asked): fast, and as
        // deterministic as the real one, which is what resuming from the stored config needs.
        var (top, basePath) = ExperimentFiles(tmp, "include \"local.conf\"\nnas.trainers { backend = synthetic, synthetic-cost = 200ms }\n");
        var store = Path.Combine(tmp.Path, "store");

        var (code, stdout, stderr) = CliProcess.Run(Long, "search", "--config", top, "--name", "straight", "--store", store);
        Assert.True(code == 0, $"uninterrupted run failed ({code}):\n{stdout}\n{stderr}");
        // The plain include of a missing file is ignored, with one warning.
        var warning = Assert.Single(Lines(stderr));
        Assert.StartsWith("warning: " + top + ", line 2: included file " + Path.Combine(Path.GetDirectoryName(top)!, "local.conf") + " not found", warning);
        var reference = Export(store, "straight");

        var db = Path.Combine(store, "killed", "journal.db");
        JournalKill.When(db, e => JournalKill.Count(e, "nas.event.round-completed.v2") >= 1, "search", "--config", top, "--name", "killed", "--store", store);
        var stored = File.ReadAllText(Path.Combine(store, "killed", "config.conf"));
        Assert.DoesNotContain(Lines(stored), l => l.StartsWith("include ", StringComparison.Ordinal) || l.StartsWith("include\"", StringComparison.Ordinal));
        // The base and the file it includes in turn, expanded in place.
        Assert.Contains("stage-depths = [1, 2]", stored);
        Assert.Contains("stage-depths = [2, 2, 2]", stored);

        // Another seed and population in the base: a resume that read it again would compute something else (or be
        // refused by the settings fingerprint).
        File.WriteAllText(basePath, "nas.experiment.seed = 99\nnas.strategies.spos-evolution.population-size = 10\n");
        JournalKill.When(db, e => JournalKill.Count(e, "nas.event.score-recorded.v2") >= 3, "resume", "killed", "--store", store);
        File.Delete(basePath);
        (code, stdout, stderr) = CliProcess.Run(Long, "resume", "killed", "--store", store);
        Assert.True(code == 0, $"final resume failed ({code}):\n{stdout}\n{stderr}");
        Assert.Equal("", stderr);
        Assert.Equal(reference, Export(store, "killed"));
        Assert.Equal(stored, File.ReadAllText(Path.Combine(store, "killed", "config.conf")));

        // A new search from the same file now needs the base that is gone.
        AssertUserError(CliProcess.Run(Long, "search", "--config", top, "--name", "again", "--store", store), top + ", line 1", basePath);
        Assert.False(Directory.Exists(Path.Combine(store, "again")));
    }

    [Fact]
    public void Search_must_reject_a_missing_required_include_and_an_include_cycle_with_one_line()
    {
        using var tmp = new TempStore();
        var store = Path.Combine(tmp.Path, "store");
        var top = Path.Combine(tmp.Path, "top.conf");
        File.WriteAllText(top, "nas.train.batch-size = 8\ninclude required(file(\"missing.conf\"))\n");
        AssertUserError(CliProcess.Run(Long, "search", "--config", top, "--name", "x", "--store", store),
            top + ", line 2", Path.Combine(tmp.Path, "missing.conf"));

        var a = Path.Combine(tmp.Path, "a.conf");
        var b = Path.Combine(tmp.Path, "b.conf");
        File.WriteAllText(a, "include \"b.conf\"\n");
        File.WriteAllText(b, "nas { include \"a.conf\" }\n");
        AssertUserError(CliProcess.Run(Long, "search", "--config", a, "--name", "x", "--store", store), $"include cycle: {a} -> {b} -> {a}");

        AssertUserError(CliProcess.Run(Long, "node", "--role", "controller", "--config", a, "--store", store), $"include cycle: {a} -> {b} -> {a}");
        Assert.False(Directory.Exists(store));
    }

    [Fact]
    public void Cluster_nodes_must_take_node_configs_and_an_experiment_config_with_includes()
    {
        using var tmp = new TempStore();
        var store = Path.Combine(tmp.Path, "store");
        var dir = Path.Combine(tmp.Path, "cluster");
        Directory.CreateDirectory(Path.Combine(dir, "common"));
        // Included inside nas.cluster { }: the file's keys land under it.
        File.WriteAllText(Path.Combine(dir, "common", "cluster.conf"), "seeds = [\"127.0.0.1:27701\"]\n");
        var node = Path.Combine(dir, "node.conf");
        File.WriteAllText(node, "nas.cluster {\n  include required(\"common/cluster.conf\")\n  roles = [controller, trainer], port = 27701, devices = [cpu, cpu]\n}\n");
        var client = Path.Combine(dir, "client.conf");
        File.WriteAllText(client, "nas.cluster { include file(\"common/cluster.conf\") }\n");
        var (top, _) = ExperimentFiles(tmp, "nas.trainers { backend = synthetic, synthetic-cost = 50ms }\n");

        using var n = new CliProcess("node", "--config", node, "--store", store);
        try
        {
            // No --seeds anywhere: both nodes find them in the included file.
            using (var search = new CliProcess("search", "--cluster", "--node-config", client, "--config", top, "--name", "inc", "--store", store))
            {
                Assert.True(search.Wait(Long) == 0, search.Stdout + search.Stderr);
                Assert.Contains("done: experiment inc", search.Stdout);
                Assert.Contains("submitted to the cluster at 127.0.0.1:27701", search.Stdout);
            }
            Assert.Contains("roles [controller, trainer] devices [cpu, cpu]", n.Stdout);
            Assert.Contains("seeds [127.0.0.1:27701]", n.Stdout);
            var stored = File.ReadAllText(Path.Combine(store, "inc", "config.conf"));
            Assert.DoesNotContain(Lines(stored), l => l.StartsWith("include ", StringComparison.Ordinal) || l.StartsWith("include\"", StringComparison.Ordinal));
            Assert.Contains("population-size = 6", stored);
        }
        finally
        {
            n.Terminate();
            n.Wait(TimeSpan.FromSeconds(30));
        }
    }
}
