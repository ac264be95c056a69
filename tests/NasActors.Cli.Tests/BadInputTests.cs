namespace NasActors.Cli.Tests;

/// <summary>Every user mistake: one clear line on stderr, exit code 2, no stack trace, nothing written to the store.</summary>
public sealed class BadInputTests
{
    private static readonly TimeSpan T = TimeSpan.FromMinutes(1);

    internal static void AssertUserError((int Code, string Out, string Err) r, string mustMention)
    {
        Assert.True(r.Code == 2, $"exit code {r.Code}, expected 2; stdout:\n{r.Out}\nstderr:\n{r.Err}");
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one line on stderr, got:\n" + r.Err);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(mustMention, lines[0]);
        Assert.DoesNotContain("   at ", r.Err + r.Out); // no stack trace
    }

    private static string WriteConfig(TempStore dir, string text)
    {
        var path = Path.Combine(dir.Path, "bad.conf");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Search_must_reject_malformed_hocon_without_writing_state()
    {
        using var tmp = new TempStore();
        var cfg = WriteConfig(tmp, "nas { train { batch-size = 32 \n");
        var store = Path.Combine(tmp.Path, "store");
        AssertUserError(CliProcess.Run(T, "search", "--config", cfg, "--name", "x", "--store", store), "not valid HOCON");
        Assert.False(Directory.Exists(store));
    }

    [Fact]
    public void Search_must_reject_unknown_keys_naming_them()
    {
        using var tmp = new TempStore();
        var cfg = WriteConfig(tmp, "nas.train.learnig-rate = 0.1\n");
        var store = Path.Combine(tmp.Path, "store");
        AssertUserError(CliProcess.Run(T, "search", "--config", cfg, "--name", "x", "--store", store), "nas.train.learnig-rate");
        Assert.False(Directory.Exists(store));
    }

    /// <summary>`nas search` on smoke.conf with one override must fail as a user error and create no store.</summary>
    private static void AssertSearchRejected(string setting, string mustMention, string config = "hocon/smoke.conf")
    {
        using var tmp = new TempStore();
        var store = Path.Combine(tmp.Path, "store");
        AssertUserError(CliProcess.Run(T, "search", "--config", config, "--name", "x", "--store", store, "--set", setting), mustMention);
        Assert.False(Directory.Exists(store));
    }

    [Theory]
    [InlineData("nas.strategies.enas-rl.epochs=3", "does not divide")]
    [InlineData("nas.spaces.enas-micro.ops=[sep_conv_3x3, conv_9x9]", "conv_9x9")]
    [InlineData("nas.strategies.enas-rl.controller.reward-images=5000", "nas.strategies.enas-rl.controller.reward-images")]
    [InlineData("nas.strategies.enas-rl.controller.tanh-constant=-1", "nas.strategies.enas-rl.controller.tanh-constant")]
    [InlineData("nas.search.max-flops=3000000", "max-flops")]
    [InlineData("nas.data.directory=\"/nonexistent/fashion\"", "/nonexistent/fashion")]
    public void Search_must_reject_bad_ENAS_settings(string setting, string mustMention) =>
        AssertSearchRejected(setting, mustMention, "hocon/enas-smoke.conf");

    [Theory]
    [InlineData("nas.spaces.spos-shufflenet.candidates=[shuffle_3x3, shuffle_3x3]", "shuffle_3x3")]
    [InlineData("nas.spaces.spos-shufflenet.candidates=[conv_9x9]", "conv_9x9")]
    [InlineData("nas.spaces.spos-shufflenet.stage-channels=[16, 30]", "30")]
    public void Search_must_reject_an_invalid_search_space(string setting, string mustMention) => AssertSearchRejected(setting, mustMention);

    [Fact]
    public void Search_must_reject_a_missing_dataset() =>
        AssertSearchRejected("nas.data.directory=\"/nonexistent/fashion\"", "/nonexistent/fashion");

    [Fact]
    public void Search_must_reject_a_cuda_device_in_a_cpu_build() =>
        AssertSearchRejected("nas.trainers.devices=[\"cuda:0\"]", "cuda:0");

    [Fact]
    public void Search_must_reject_a_flops_limit_no_architecture_meets() =>
        AssertSearchRejected("nas.search.max-flops=1000", "max-flops");

    [Fact]
    public void Commands_must_reject_an_unknown_experiment()
    {
        using var tmp = new TempStore();
        AssertUserError(CliProcess.Run(T, "resume", "nope", "--store", tmp.Path), "nope");
        AssertUserError(CliProcess.Run(T, "export", "nope", "--store", tmp.Path), "nope");
        AssertUserError(CliProcess.Run(T, "status", "nope", "--store", tmp.Path), "nope");
        Assert.Empty(tmp.Entries());
    }

    [Fact]
    public void Cli_must_reject_unknown_commands_and_options()
    {
        AssertUserError(CliProcess.Run(T, "serch"), "serch");
        AssertUserError(CliProcess.Run(T, "search", "--confg", "x"), "--confg");
    }

    [Fact]
    public void Resume_must_reject_a_checkpoint_whose_hash_does_not_match()
    {
        using var store = new TempStore();
        // Kill a run once it is scoring candidates (its supernet checkpoint exists), corrupt the checkpoint, resume.
        JournalKill.When(Path.Combine(store.Path, "d", "journal.db"), e => JournalKill.Count(e, "nas.event.score-recorded.v2") >= 1,
            "search", "--config", "hocon/smoke.conf", "--name", "d", "--store", store.Path,
            "--set", "nas.train.total-steps=10", "--set", "nas.strategies.spos-evolution.generations=1");
        foreach (var f in Directory.GetFiles(Path.Combine(store.Path, "d", "checkpoints"), "*.ckpt"))
        {
            var bytes = File.ReadAllBytes(f);
            bytes[bytes.Length / 2] ^= 0xFF;
            File.WriteAllBytes(f, bytes);
        }
        var journalBefore = JournalReader.Events(Path.Combine(store.Path, "d", "journal.db")).Count;
        AssertUserError(CliProcess.Run(TimeSpan.FromMinutes(2), "resume", "d", "--store", store.Path), "SHA-256");
        Assert.Equal(journalBefore, JournalReader.Events(Path.Combine(store.Path, "d", "journal.db")).Count);
    }

    [Fact]
    public void Resume_must_reject_a_corrupt_journal_without_touching_it()
    {
        using var store = new TempStore();
        var dir = Path.Combine(store.Path, "j");
        Directory.CreateDirectory(Path.Combine(dir, "checkpoints"));
        File.Copy(Path.Combine(CliProcess.RepoRoot, "hocon", "smoke.conf"), Path.Combine(dir, "config.conf"));
        var garbage = new byte[8192];
        new Random(1).NextBytes(garbage);
        File.WriteAllBytes(Path.Combine(dir, "journal.db"), garbage);
        AssertUserError(CliProcess.Run(T, "resume", "j", "--store", store.Path), "journal.db");
        AssertUserError(CliProcess.Run(T, "status", "j", "--store", store.Path), "journal.db");
        Assert.Equal(garbage, File.ReadAllBytes(Path.Combine(dir, "journal.db")));
    }

    [Fact]
    public void Search_must_reject_a_positional_argument()
    {
        using var tmp = new TempStore();
        var store = Path.Combine(tmp.Path, "store");
        AssertUserError(CliProcess.Run(T, "search", "myrun", "--store", store), "--name myrun");
        Assert.False(Directory.Exists(store));
    }

    [Fact]
    public void Resume_must_refuse_an_experiment_another_process_is_running()
    {
        using var store = new TempStore();
        using var running = new CliProcess("search", "--config", "hocon/smoke.conf", "--name", "busy", "--store", store.Path,
            "--set", "nas.train.total-steps=2000");
        Assert.True(running.WaitForOutput("supernet", TimeSpan.FromMinutes(2)), running.Stdout + running.Stderr);
        AssertUserError(CliProcess.Run(T, "resume", "busy", "--store", store.Path), "in use");
        // Read-only commands still work while it runs; a bad --out is a user error, not a crash.
        AssertUserError(CliProcess.Run(T, "export", "busy", "--store", store.Path, "--out", "/nonexistent-dir/x.json"), "/nonexistent-dir/x.json");
        Assert.True(running.Kill9(), "the search ended before the second process tried it");
    }

    [Theory]
    [InlineData("nas.space=nasbench201", "nasbench201")]
    [InlineData("nas.strategy=darts", "spos-evolution")]
    [InlineData("nas.experiment.strategy=spos", "nas.strategy")]
    [InlineData("nas.supernet.stem-channels=8", "nas.spaces.spos-shufflenet")]
    [InlineData("nas.search.population-size=8", "nas.strategies.spos-evolution.population-size")]
    [InlineData("nas.strategies.enas-rl.epochs=2", "not selected")]
    [InlineData("nas.spaces.enas-micro.nodes=2", "not selected")]
    public void Search_must_reject_unknown_renamed_or_unselected_components(string setting, string mustMention) => AssertSearchRejected(setting, mustMention);

    [Fact]
    public void Search_must_refuse_a_pair_that_cannot_work_naming_both() =>
        // The synthetic benchmark backend has no controller policy: enas-rl cannot run on it.
        AssertSearchRejected("nas.trainers.backend=synthetic", "enas-rl", "hocon/enas-smoke.conf");

    [Theory]
    [InlineData("spos-finished")]
    [InlineData("spos-interrupted")]
    [InlineData("enas-interrupted")]
    [InlineData("cluster-finished")]
    public void Commands_must_refuse_a_store_of_format_1_with_one_line_and_leave_it_as_it_was(string name)
    {
        using var tmp = new TempStore();
        var golden = Path.Combine(CliProcess.RepoRoot, "tests", "golden", "v1", "stores");
        foreach (var f in Directory.GetFiles(golden, "*", SearchOption.AllDirectories))
        {
            var dest = Path.Combine(tmp.Path, Path.GetRelativePath(golden, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(f, dest);
        }
        string Hashes() => string.Join("\n", Directory.GetFiles(tmp.Path, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal)).Order()
            .Select(f => f + " " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))));
        var before = Hashes();
        foreach (var verb in new[] { "resume", "status", "export" })
            AssertUserError(CliProcess.Run(T, verb, name, "--store", tmp.Path), "store format 1");
        Assert.Equal(before, Hashes());
    }
}
