using System.Text.Json;

namespace NasActors.Cli.Tests;

/// <summary>
/// The product's central promise, checked with real processes: a search killed with SIGKILL at any moment and then
/// resumed finishes with the same export as an uninterrupted run, and no candidate is recorded twice. The kill moments
/// are chosen from the journal, and the journal at each kill is checked to be in the phase intended.
/// </summary>
public sealed class SearchResumeTests
{
    private static readonly TimeSpan Long = JournalKill.Long;
    private const string Smoke = "hocon/smoke.conf";

    private static string Export(TempStore store, string name) => CliProcess.Export(store.Path, name);

    private static int Count(List<(string Pid, string Manifest, string Payload)> e, string kind) => JournalKill.Count(e, "nas.event." + kind + ".v2");

    private static List<int> Ids(List<(string Pid, string Manifest, string Payload)> events, string kind) =>
        [.. events.Where(e => e.Manifest == "nas.event." + kind + ".v2").Select(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("Id").GetInt32())];

    private static List<int> Proposed(List<(string Pid, string Manifest, string Payload)> events) =>
        [.. events.Where(e => e.Manifest == "nas.event.generation-proposed.v2")
            .SelectMany(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("Rollouts").EnumerateArray().Select(r => r.GetProperty("Id").GetInt32()))];

    /// <summary>
    /// The killed and resumed run's TensorBoard series, written over several runs, never go back a step, and the journaled
    /// ones hold what the uninterrupted run's hold (a point may repeat, identical, if a kill fell between a write and its marker).
    /// </summary>
    private static void TensorBoardMustContinue(TempStore store)
    {
        Dictionary<string, List<(long Step, float Value)>> Read(string name) =>
            Observability.TfEvents.ScalarsIn(Path.Combine(store.Path, name, "tb"));
        var (straight, killed) = (Read("straight"), Read("killed"));
        Assert.True(Directory.GetFiles(Path.Combine(store.Path, "killed", "tb"), "events.out.tfevents.*").Length >= 3, "one event file per run");
        Observability.TfEvents.AssertStepsNeverGoBack(killed);
        foreach (var tag in new[] { "round/train_loss", "round/train_accuracy", "generation/best_accuracy", "generation/mean_accuracy", "result/test_accuracy" })
            Assert.Equal(straight[tag], killed[tag].Distinct());
        Assert.Equal(straight["scored/best_accuracy"].Select(p => p.Step), killed["scored/best_accuracy"].Select(p => p.Step).Distinct());
    }

    [Fact]
    public void Search_must_survive_kill9_in_supernet_search_and_test_phases_and_export_identically()
    {
        using var store = new TempStore();

        // Reference: one uninterrupted run.
        var (code, stdout, stderr) = CliProcess.Run(Long, "search", "--config", Smoke, "--name", "straight", "--store", store.Path);
        Assert.True(code == 0, $"uninterrupted run failed ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("best architecture", stdout);
        Assert.Contains("test accuracy", stdout);
        var reference = Export(store, "straight");

        var db = Path.Combine(store.Path, "killed", "journal.db");
        // 1. Supernet training: some of the 15 rounds are journaled, a round's slices partly done or not.
        var at = JournalKill.When(db, e => Count(e, "round-completed") >= 3,
            "search", "--config", Smoke, "--name", "killed", "--store", store.Path);
        Assert.InRange(Count(at, "round-completed"), 3, 14);
        Assert.Equal(0, Count(at, "generation-proposed"));

        // 2. Search: a generation is proposed and partly scored.
        at = JournalKill.When(db, e => Count(e, "score-recorded") >= 2 && Count(e, "generation-proposed") >= 2,
            "resume", "killed", "--store", store.Path);
        Assert.Equal(15, Count(at, "round-completed"));
        Assert.InRange(Count(at, "score-recorded"), 2, 17);
        Assert.True(Proposed(at).Count > Count(at, "score-recorded"), "the kill should land while a generation is being scored");
        Assert.Equal(0, Count(at, "search-completed"));

        // 3. Test phase: the search is complete, the best architecture's test score is not yet journaled.
        at = JournalKill.When(db, e => Count(e, "search-completed") == 1, "resume", "killed", "--store", store.Path);
        Assert.Equal(0, Count(at, "test-completed"));
        Assert.Equal(18, Count(at, "score-recorded"));

        (code, stdout, stderr) = CliProcess.Run(Long, "resume", "killed", "--store", store.Path);
        Assert.True(code == 0, $"final resume failed ({code}):\n{stdout}\n{stderr}");

        Assert.Equal(reference, Export(store, "killed"));
        TensorBoardMustContinue(store);

        // The journal, not the console, is the evidence: every rollout recorded exactly once, every proposed one scored.
        var events = JournalReader.Events(db);
        var scored = Ids(events, "score-recorded");
        Assert.Equal(scored.Count, scored.Distinct().Count());
        Assert.Equal(Proposed(events).Order(), scored.Order());
        Assert.Equal(1, Count(events, "search-completed"));
        Assert.Equal(1, Count(events, "test-completed"));
        Assert.Single(events, e => e.Manifest == "nas.experiment.started.v2");

        // Resuming a finished experiment prints its result and exits 0 without new work.
        var before = events.Count;
        (code, stdout, _) = CliProcess.Run(Long, "resume", "killed", "--store", store.Path);
        Assert.Equal(0, code);
        Assert.Contains("best architecture", stdout);
        Assert.Equal(before, JournalReader.Events(db).Count);

        // status reads the journal back.
        (code, stdout, _) = CliProcess.Run(Long, "status", "--store", store.Path);
        Assert.Equal(0, code);
        Assert.Contains("killed", stdout);
        Assert.Contains("finished", stdout);
    }

    [Fact]
    public void Export_must_be_nni_style_json_with_metrics()
    {
        using var store = new TempStore();
        var (code, stdout, stderr) = CliProcess.Run(Long, "search", "--config", Smoke, "--name", "e", "--store", store.Path,
            "--set", "nas.strategies.spos-evolution.generations=1");
        Assert.True(code == 0, $"run failed ({code}):\n{stdout}\n{stderr}");
        var json = JsonDocument.Parse(Export(store, "e")).RootElement;
        Assert.Equal("spos-evolution", json.GetProperty("strategy").GetString());
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
