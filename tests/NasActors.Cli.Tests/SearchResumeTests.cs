using System.Text.Json;

namespace NasActors.Cli.Tests;

/// <summary>
/// The product's central promise, checked with real processes: a search killed with SIGKILL at any moment and then
/// resumed finishes with the same export as an uninterrupted run, and no candidate is recorded twice.
/// </summary>
public sealed class SearchResumeTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(4);
    private const string Smoke = "hocon/smoke.conf";

    private static string Export(TempStore store, string name)
    {
        var file = Path.Combine(store.Path, name + ".json");
        var (code, _, err) = CliProcess.Run(Long, "export", name, "--store", store.Path, "--out", file);
        Assert.True(code == 0, $"export failed ({code}): {err}");
        return File.ReadAllText(file);
    }

    [Fact]
    public void Search_must_survive_kill9_in_every_phase_and_export_identically()
    {
        using var store = new TempStore();

        // Reference: one uninterrupted run.
        var (code, stdout, stderr) = CliProcess.Run(Long, "search", "--config", Smoke, "--name", "straight", "--store", store.Path);
        Assert.True(code == 0, $"uninterrupted run failed ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("best architecture", stdout);
        Assert.Contains("test accuracy", stdout);
        var reference = Export(store, "straight");

        // Same search, killed during supernet training, then during evolution, then resumed to the end. It snapshots
        // every 3 events, so recovery goes through snapshots too (and the snapshot interval must not change results).
        using (var p = new CliProcess("search", "--config", Smoke, "--name", "killed", "--store", store.Path, "--set", "nas.runtime.snapshot-every=3"))
        {
            Assert.True(p.WaitForOutput("supernet  round 1/", Long), "never reached supernet round 1:\n" + p.Stdout + p.Stderr);
            Assert.True(p.Kill9(), "the process had already exited: the kill did not interrupt it");
        }
        using (var p = new CliProcess("resume", "killed", "--store", store.Path))
        {
            Assert.True(p.WaitForOutput("scored 3", Long), "never scored 3 candidates after resume:\n" + p.Stdout + p.Stderr);
            Assert.True(p.Kill9(), "the process had already exited: the kill did not interrupt it");
        }
        using (var p = new CliProcess("resume", "killed", "--store", store.Path))
        {
            Assert.True(p.WaitForOutput("generation 2", Long), "never reached generation 2 after the second resume:\n" + p.Stdout + p.Stderr);
            Assert.True(p.Kill9(), "the process had already exited: the kill did not interrupt it");
        }
        (code, stdout, stderr) = CliProcess.Run(Long, "resume", "killed", "--store", store.Path);
        Assert.True(code == 0, $"final resume failed ({code}):\n{stdout}\n{stderr}");

        Assert.Equal(reference, Export(store, "killed"));

        // The journal, not the console, is the evidence: every rollout recorded exactly once, every proposed one scored.
        var events = JournalReader.Events(Path.Combine(store.Path, "killed", "journal.db"));
        var scored = events.Where(e => e.Manifest == "nas.population.score-recorded.v1")
            .Select(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("Id").GetInt32()).ToList();
        Assert.NotEmpty(scored);
        Assert.Equal(scored.Count, scored.Distinct().Count());
        var proposed = events.Where(e => e.Manifest == "nas.population.generation-proposed.v1")
            .SelectMany(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("Rollouts").EnumerateArray().Select(r => r.GetProperty("Id").GetInt32()))
            .ToList();
        Assert.Equal(proposed.Order(), scored.Order());
        Assert.Single(events, e => e.Manifest == "nas.experiment.search-completed.v1");
        Assert.Single(events, e => e.Manifest == "nas.experiment.test-completed.v1");

        // Resuming a finished experiment prints its result and exits 0 without new work.
        var before = events.Count;
        (code, stdout, _) = CliProcess.Run(Long, "resume", "killed", "--store", store.Path);
        Assert.Equal(0, code);
        Assert.Contains("best architecture", stdout);
        Assert.Equal(before, JournalReader.Events(Path.Combine(store.Path, "killed", "journal.db")).Count);

        // status reads the journal back.
        (code, stdout, _) = CliProcess.Run(Long, "status", "--store", store.Path);
        Assert.Equal(0, code);
        Assert.Contains("killed", stdout);
        Assert.Contains("Finished", stdout);
    }

    [Fact]
    public void Export_must_be_nni_style_json_with_metrics()
    {
        using var store = new TempStore();
        var (code, stdout, stderr) = CliProcess.Run(Long, "search", "--config", Smoke, "--name", "e", "--store", store.Path,
            "--set", "nas.search.generations=1");
        Assert.True(code == 0, $"run failed ({code}):\n{stdout}\n{stderr}");
        var json = JsonDocument.Parse(Export(store, "e")).RootElement;
        var top = json.GetProperty("top");
        Assert.Equal(3, top.GetArrayLength());
        var first = top[0];
        var arch = first.GetProperty("architecture");
        Assert.Equal(3, arch.EnumerateObject().Count()); // smoke.conf: depths [1, 2]
        foreach (var choice in arch.EnumerateObject())
        {
            Assert.Matches("^stage[0-9]+/block[0-9]+$", choice.Name);
            Assert.Contains(choice.Value.GetString(), new[] { "shuffle_3x3", "shuffle_5x5", "shuffle_7x7", "xception_3x3" });
        }
        var acc = first.GetProperty("metrics").GetProperty("accuracy").GetDouble();
        Assert.InRange(acc, 0.0, 1.0);
        Assert.True(first.GetProperty("metrics").GetProperty("flops").GetInt64() > 0);
        Assert.True(top[0].GetProperty("metrics").GetProperty("accuracy").GetDouble() >= top[1].GetProperty("metrics").GetProperty("accuracy").GetDouble());
        Assert.True(json.GetProperty("test").GetProperty("accuracy").GetDouble() > 0.15); // clearly better than chance (0.10) on 10k images
    }
}
