using System.Text.Json;

namespace NasActors.Cli.Tests;

/// <summary>
/// ENAS's resume promise with real processes: killed with SIGKILL during shared-weight training, during controller
/// training and while deriving, then resumed, it exports byte-identically to an uninterrupted run.
/// </summary>
public sealed class EnasResumeTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(4);
    private const string Smoke = "hocon/enas-smoke.conf";

    // Longer controller epochs than the smoke defaults, so a kill reliably lands inside one (both runs use them).
    private static readonly string[] Sets = ["--set", "nas.strategies.enas-rl.controller.steps-per-epoch=8", "--set", "nas.strategies.enas-rl.controller.reward-images=256"];

    private static string Export(TempStore store, string name) => CliProcess.Export(store.Path, name);

    private static int Count(List<(string Pid, string Manifest, string Payload)> events, string manifest) => JournalKill.Count(events, manifest);

    private static List<(string Pid, string Manifest, string Payload)> KillWhen(string db, Func<List<(string Pid, string Manifest, string Payload)>, bool> when, params string[] args) =>
        JournalKill.When(db, when, args);

    private static bool DeriveStarted(string payload) => JsonDocument.Parse(payload).RootElement.GetProperty("Derive").GetBoolean();

    [Fact]
    public void Enas_search_must_survive_kill9_in_shared_training_controller_training_and_derive_and_export_identically()
    {
        using var store = new TempStore();
        var (code, stdout, stderr) = CliProcess.Run(Long, ["search", "--config", Smoke, "--name", "straight", "--store", store.Path, .. Sets]);
        Assert.True(code == 0, $"uninterrupted run failed ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("controller step", stdout);
        Assert.Contains("best architecture", stdout);
        Assert.Contains("test accuracy", stdout);
        var reference = Export(store, "straight");

        var db = Path.Combine(store.Path, "killed", "journal.db");
        // 1. During shared-weight training of epoch 1: round 1 of 2 is done, the controller has not learned yet.
        var at = KillWhen(db, e => Count(e, "nas.event.round-completed.v2") >= 1,
            ["search", "--config", Smoke, "--name", "killed", "--store", store.Path, .. Sets]);
        Assert.Equal(0, Count(at, "nas.event.policy-updated.v2"));

        // 2. During controller training: some updates of epoch 1 are journaled, not all 8.
        at = KillWhen(db, e => Count(e, "nas.event.policy-updated.v2") >= 2, "resume", "killed", "--store", store.Path);
        Assert.InRange(Count(at, "nas.event.policy-updated.v2"), 2, 7);
        Assert.Equal(2, Count(at, "nas.event.round-completed.v2")); // epoch 1's shared training only

        // 3. While deriving: the derive batch is sampled and partly scored.
        at = KillWhen(db, e => e.Any(x => x.Manifest == "nas.event.batch-sampled.v2" && DeriveStarted(x.Payload))
                               && Count(e, "nas.event.reward-recorded.v2") > 2 * 8 * 4,
            "resume", "killed", "--store", store.Path);
        Assert.Equal(0, Count(at, "nas.event.search-completed.v2"));

        (code, stdout, stderr) = CliProcess.Run(Long, "resume", "killed", "--store", store.Path);
        Assert.True(code == 0, $"final resume failed ({code}):\n{stdout}\n{stderr}");
        Assert.Equal(reference, Export(store, "killed"));

        // Journal evidence: every sampled architecture rewarded exactly once; 2 epochs x 8 updates; one policy created.
        var events = JournalReader.Events(db);
        var sampled = events.Where(e => e.Manifest == "nas.event.batch-sampled.v2")
            .SelectMany(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("Rollouts").EnumerateArray().Select(r => r.GetProperty("Id").GetInt32())).ToList();
        var rewarded = events.Where(e => e.Manifest == "nas.event.reward-recorded.v2")
            .Select(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("Id").GetInt32()).ToList();
        Assert.Equal(2 * 8 * 4 + 6, sampled.Count);
        Assert.Equal(sampled.Distinct().Order(), rewarded.Order());
        Assert.Equal(rewarded.Count, rewarded.Distinct().Count());
        Assert.Equal(16, Count(events, "nas.event.policy-updated.v2"));
        Assert.Equal(1, Count(events, "nas.event.policy-initialized.v2"));
        Assert.Equal(4, Count(events, "nas.event.round-completed.v2"));

        (code, stdout, _) = CliProcess.Run(Long, "status", "killed", "--store", store.Path);
        Assert.Equal(0, code);
        Assert.Contains("epoch 2/2", stdout);
        Assert.Contains("controller step 16/16", stdout);
    }

    [Fact]
    public void Enas_export_must_use_NNI_cell_keys_and_report_the_retrained_architecture()
    {
        using var store = new TempStore();
        var (code, stdout, stderr) = CliProcess.Run(Long, "search", "--config", Smoke, "--name", "e", "--store", store.Path, "--set", "nas.retrain.epochs=1");
        Assert.True(code == 0, $"run failed ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("retrained from scratch (1 epochs): test accuracy", stdout);
        var json = JsonDocument.Parse(Export(store, "e")).RootElement;
        Assert.Equal("enas-rl", json.GetProperty("strategy").GetString());
        Assert.Equal("enas-micro", json.GetProperty("search_space").GetString());
        var arch = json.GetProperty("top")[0].GetProperty("architecture");
        Assert.Equal(16, arch.EnumerateObject().Count()); // enas-smoke: 2 nodes x (2 inputs + 2 ops) x 2 cells
        foreach (var c in arch.EnumerateObject())
        {
            Assert.Matches("^(normal|reduce)/(op|input)_[23]_[01]$", c.Name);
            if (c.Name.Contains("/input_")) Assert.Equal(JsonValueKind.Number, c.Value.ValueKind);
            else Assert.Contains(c.Value.GetString(), new[] { "sep_conv_3x3", "sep_conv_5x5", "avg_pool_3x3", "max_pool_3x3", "identity" });
        }
        Assert.True(json.GetProperty("test").GetProperty("accuracy").GetDouble() > 0.12); // above chance (0.10) on 10k images
        var retrained = json.GetProperty("retrained");
        Assert.Equal(json.GetProperty("top")[0].GetProperty("rollout").GetString(), retrained.GetProperty("rollout").GetString());
        Assert.Equal(1, retrained.GetProperty("epochs").GetInt64());
        Assert.True(retrained.GetProperty("test_accuracy").GetDouble() > 0.12);

        // `nas derive`: the trained policy's samples, distinct, reproducible from the seed, scored with the shared weights.
        var derived = new[] { "a.json", "b.json" }.Select(f => Path.Combine(store.Path, f)).ToArray();
        foreach (var file in derived)
        {
            (code, stdout, stderr) = CliProcess.Run(Long, "derive", "e", "-n", "5", "--seed", "9", "--store", store.Path, "--out", file);
            Assert.True(code == 0, $"derive failed ({code}):\n{stdout}\n{stderr}");
            Assert.Contains("architecture(s) derived by enas-rl (seed 9)", stdout);
        }
        Assert.Equal(File.ReadAllText(derived[0]), File.ReadAllText(derived[1]));
        var archs = JsonDocument.Parse(File.ReadAllText(derived[0])).RootElement.EnumerateArray()
            .Select(r => r.GetProperty("architecture").GetRawText()).ToList();
        Assert.InRange(archs.Count, 1, 5);
        Assert.Equal(archs.Count, archs.Distinct().Count());
    }

    [Fact]
    public void Enas_resume_must_refuse_a_corrupt_policy_checkpoint_with_one_line()
    {
        using var store = new TempStore();
        var db = Path.Combine(store.Path, "c", "journal.db");
        var at = KillWhen(db, e => Count(e, "nas.event.policy-updated.v2") >= 1,
            ["search", "--config", Smoke, "--name", "c", "--store", store.Path, .. Sets]);
        var policy = JsonDocument.Parse(at.Last(e => e.Manifest == "nas.event.policy-updated.v2").Payload).RootElement.GetProperty("Policy").GetString()!;
        var file = Path.Combine(store.Path, "c", "checkpoints", policy + ".ckpt");
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(file, bytes);

        var (code, stdout, stderr) = CliProcess.Run(Long, "resume", "c", "--store", store.Path);
        Assert.True(code == 2, $"exit {code}, expected 2:\n{stdout}\n{stderr}");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one line on stderr, got:\n" + stderr);
        Assert.Contains(policy, lines[0]);
        Assert.DoesNotContain("   at ", stdout + stderr);
    }
}
