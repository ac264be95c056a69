using System.Text.Json;

namespace NasActors.Cli.Tests;

/// <summary>
/// Space and strategy are chosen separately: a pair the project never had before the one engine (regularized evolution
/// over the ENAS micro cells) resumes exactly after kill -9, and the registry and generated configs cover every pair.
/// </summary>
public sealed class CrossPairTests
{
    private static readonly TimeSpan Long = JournalKill.Long;
    private const string Config = "hocon/regevo-enas-smoke.conf";

    private static string Export(TempStore store, string name) => CliProcess.Export(store.Path, name);

    private static int Count(List<(string Pid, string Manifest, string Payload)> e, string kind) => JournalKill.Count(e, "nas.event." + kind + ".v2");

    [Fact]
    public void Regularized_evolution_on_enas_cells_must_survive_kill9_and_export_identically()
    {
        using var store = new TempStore();
        var (code, stdout, stderr) = CliProcess.Run(Long, "search", "--config", Config, "--name", "straight", "--store", store.Path);
        Assert.True(code == 0, $"uninterrupted run failed ({code}):\n{stdout}\n{stderr}");
        var reference = Export(store, "straight");
        var json = JsonDocument.Parse(reference).RootElement;
        Assert.Equal("regularized-evolution", json.GetProperty("strategy").GetString());
        Assert.Equal("enas-micro", json.GetProperty("search_space").GetString());
        Assert.Equal(14, json.GetProperty("scored").GetInt32()); // 6 + 8 cycles

        var db = Path.Combine(store.Path, "killed", "journal.db");
        // 1. Shared-weight training: some of the 4 rounds journaled.
        var at = JournalKill.When(db, e => Count(e, "round-completed") >= 1, "search", "--config", Config, "--name", "killed", "--store", store.Path);
        Assert.InRange(Count(at, "round-completed"), 1, 3);
        Assert.Equal(0, Count(at, "generation-proposed"));
        // 2. Evolution: the first children proposed and partly scored (the population of 6 is complete).
        at = JournalKill.When(db, e => Count(e, "generation-proposed") >= 2 && Count(e, "score-recorded") >= 7, "resume", "killed", "--store", store.Path);
        Assert.InRange(Count(at, "score-recorded"), 7, 13);
        Assert.Equal(0, Count(at, "search-completed"));

        (code, stdout, stderr) = CliProcess.Run(Long, "resume", "killed", "--store", store.Path);
        Assert.True(code == 0, $"final resume failed ({code}):\n{stdout}\n{stderr}");
        Assert.Equal(reference, Export(store, "killed"));

        var events = JournalReader.Events(db);
        var scored = events.Where(e => e.Manifest == "nas.event.score-recorded.v2").Select(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("Id").GetInt32()).ToList();
        Assert.Equal(14, scored.Count);
        Assert.Equal(scored.Count, scored.Distinct().Count());
    }

    [Fact]
    public void Registry_must_list_every_space_strategy_and_dataset()
    {
        var (code, stdout, stderr) = CliProcess.Run(TimeSpan.FromMinutes(1), "registry");
        Assert.True(code == 0, stderr);
        foreach (var name in new[] { "spos-shufflenet", "enas-micro", "random", "spos-evolution", "regularized-evolution", "enas-rl", "fashion-mnist" })
            Assert.Contains("  " + name + " ", stdout);
    }

    [Theory]
    [InlineData("spos-shufflenet", "enas-rl")]
    [InlineData("enas-micro", "spos-evolution")]
    [InlineData("enas-micro", "random")]
    [InlineData("spos-shufflenet", "regularized-evolution")]
    public void Gen_config_must_write_a_config_that_runs(string space, string strategy)
    {
        using var store = new TempStore();
        var file = Path.Combine(store.Path, "pair.conf");
        var (code, stdout, stderr) = CliProcess.Run(TimeSpan.FromMinutes(1), "gen-config", "--space", space, "--strategy", strategy, "--out", file);
        Assert.True(code == 0, stdout + stderr);
        var text = File.ReadAllText(file);
        Assert.Contains($"space = {space}", text);
        Assert.Contains($"strategy = {strategy}", text);
        Assert.Contains("#", text); // commented
        // It runs as written; only the sizes are cut so the test stays short (a smoke-sized run of the same pair).
        (code, stdout, stderr) = CliProcess.Run(Long, "search", "--config", file, "--name", "g", "--store", store.Path,
            "--set", "nas.data.train-limit=3000", "--set", "nas.data.validation-size=1000", "--set", "nas.train.total-steps=40",
            "--set", "nas.train.steps-per-round=20", "--set", "nas.train.validation-images=128", "--set", "nas.train.bn-recalibration-batches=1",
            "--set", "nas.train.batch-size=16", "--set", "nas.trainers.intra-op-threads=1",
            "--set", strategy switch
            {
                "enas-rl" => "nas.strategies.enas-rl.epochs=2",
                "regularized-evolution" => "nas.strategies.regularized-evolution.cycles=4",
                _ => $"nas.strategies.{strategy}.generations=1",
            },
            "--set", strategy == "enas-rl" ? "nas.strategies.enas-rl.controller.steps-per-epoch=1" : "nas.export.top-k=2",
            "--set", strategy == "enas-rl" ? "nas.strategies.enas-rl.controller.reward-images=64" : "nas.export.top-k=3");
        Assert.True(code == 0, $"the generated config did not run ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("best architecture", stdout);
    }

    [Fact]
    public void Gen_config_must_refuse_an_unknown_component_and_never_overwrite()
    {
        using var store = new TempStore();
        var (code, _, stderr) = CliProcess.Run(TimeSpan.FromMinutes(1), "gen-config", "--space", "nope", "--strategy", "random");
        Assert.Equal(2, code);
        Assert.Contains("nope", stderr);
        var file = Path.Combine(store.Path, "x.conf");
        File.WriteAllText(file, "mine");
        (code, _, stderr) = CliProcess.Run(TimeSpan.FromMinutes(1), "gen-config", "--space", "enas-micro", "--strategy", "random", "--out", file);
        Assert.Equal(2, code);
        Assert.Equal("mine", File.ReadAllText(file));
    }
}
