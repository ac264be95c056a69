namespace NasActors.Cli.Tests;

/// <summary>Messages that say what is wrong and what to do: the right culprit (--set, not the file), the right cause, the full command to continue.</summary>
public sealed class MessageTests
{
    private static readonly TimeSpan T = TimeSpan.FromMinutes(1);
    private static readonly string[] Synthetic = ["--set", "trainers.backend=synthetic", "--set", "trainers.synthetic-cost=1ms"];

    private static (int Code, string Out, string Err) Search(string store, params string[] sets) =>
        CliProcess.Run(T, ["search", "--config", "hocon/smoke.conf", "--name", "x", "--store", store, .. sets.SelectMany(s => new[] { "--set", s })]);

    [Fact]
    public void Devices_given_as_a_string_must_say_it_must_be_a_list()
    {
        using var tmp = new TempStore();
        var store = Path.Combine(tmp.Path, "store");
        BadInputTests.AssertUserError(Search(store, "trainers.devices=cpu"), "must be a list like [cpu]");
        Assert.False(Directory.Exists(store));
    }

    [Fact]
    public void An_unquoted_cuda_device_in_a_list_must_be_read_as_a_device_not_a_hocon_error()
    {
        using var tmp = new TempStore();
        var store = Path.Combine(tmp.Path, "store");
        // A CPU build: the device is understood, then refused for what it is.
        var r = Search(store, "trainers.devices=[cpu, cuda:0]");
        BadInputTests.AssertUserError(r, "cuda:0 needs a CUDA build");
        var cfg = Path.Combine(tmp.Path, "c.conf");
        File.WriteAllText(cfg, "include \"" + Path.Combine(CliProcess.RepoRoot, "hocon", "smoke.conf") + "\"\nnas.trainers.devices = [cuda:0]\n");
        BadInputTests.AssertUserError(CliProcess.Run(T, "search", "--config", cfg, "--name", "x", "--store", store), "cuda:0 needs a CUDA build");
        Assert.False(Directory.Exists(store));
    }

    [Theory]
    [InlineData("nas.train.batch-size=abc", "--set nas.train.batch-size=abc")]
    [InlineData("train.learnig-rate=0.1", "--set train.learnig-rate=0.1")]
    [InlineData("nas.train.batch-size={", "--set nas.train.batch-size={")]
    [InlineData("nas.train.total-steps=-5", "--set nas.train.total-steps=-5")]
    public void A_bad_set_value_must_name_the_set_option_not_the_file(string setting, string mustMention)
    {
        using var tmp = new TempStore();
        var store = Path.Combine(tmp.Path, "store");
        var r = Search(store, setting);
        BadInputTests.AssertUserError(r, mustMention);
        Assert.DoesNotContain("smoke.conf", r.Err);
        Assert.False(Directory.Exists(store));
    }

    [Fact]
    public void An_empty_set_value_must_say_it_is_empty()
    {
        using var tmp = new TempStore();
        var store = Path.Combine(tmp.Path, "store");
        var r = Search(store, "nas.train.batch-size=");
        BadInputTests.AssertUserError(r, "empty value");
        Assert.DoesNotContain("unknown value", r.Err);
        // The same in a file.
        var cfg = Path.Combine(tmp.Path, "c.conf");
        File.WriteAllText(cfg, "include \"" + Path.Combine(CliProcess.RepoRoot, "hocon", "smoke.conf") + "\"\nnas.train.batch-size = \n");
        var f = CliProcess.Run(T, "search", "--config", cfg, "--name", "x", "--store", store);
        BadInputTests.AssertUserError(f, "nas.train.batch-size in " + cfg + " is empty");
        Assert.False(Directory.Exists(store));
    }

    [Fact]
    public void A_store_that_is_a_file_must_be_named_as_such()
    {
        using var tmp = new TempStore();
        var file = Path.Combine(tmp.Path, "store");
        File.WriteAllText(file, "not a store");
        foreach (var args in new[] { new[] { "status" }, ["status", "x"], ["export", "x"], ["resume", "x"] })
            BadInputTests.AssertUserError(CliProcess.Run(T, [.. args, "--store", file]), "is a file, not a directory");
        BadInputTests.AssertUserError(Search(file), "is a file, not a directory");
        Assert.Equal("not a store", File.ReadAllText(file));
    }

    [Fact]
    public void A_missing_config_with_the_journal_present_must_say_so_and_how_to_recover()
    {
        using var tmp = new TempStore();
        var run = Search(tmp.Path, Synthetic[1], Synthetic[3]);
        Assert.True(run.Code == 0, run.Err);
        // The finished run's hint names the store.
        Assert.Contains($"export: nas export x --store {tmp.Path} --out x.json", run.Out);
        var dir = Path.Combine(tmp.Path, "x");
        var config = Path.Combine(dir, "config.conf");
        var saved = File.ReadAllText(config);
        File.Delete(config);
        var journal = File.ReadAllBytes(Path.Combine(dir, "journal.db"));
        foreach (var verb in new[] { "status", "export", "resume" })
            BadInputTests.AssertUserError(CliProcess.Run(T, verb, "x", "--store", tmp.Path), "config.conf is missing; restore " + config);
        var list = CliProcess.Run(T, "status", "--store", tmp.Path);
        Assert.Equal(0, list.Code);
        Assert.Contains("config.conf is missing", list.Out);
        Assert.Equal(journal, File.ReadAllBytes(Path.Combine(dir, "journal.db")));
        // Restored, it reads again.
        File.WriteAllText(config, saved);
        var status = CliProcess.Run(T, "status", "x", "--store", tmp.Path);
        Assert.True(status.Code == 0, status.Err);
        Assert.Contains($"nas export x --store {tmp.Path}", status.Out);
    }

    [Fact]
    public void Sigterm_must_stop_a_search_like_ctrl_c_with_the_resume_hint_naming_the_store()
    {
        using var tmp = new TempStore();
        string[] args = ["search", "--config", "hocon/smoke.conf", "--name", "t", "--store", tmp.Path,
            "--set", "trainers.backend=synthetic", "--set", "trainers.synthetic-cost=300ms"];
        using (var p = new CliProcess(args))
        {
            Assert.True(p.WaitForOutput("[00:0", TimeSpan.FromMinutes(1)), p.Stdout + p.Stderr); // the first progress line: it runs
            p.Terminate();
            Assert.Equal(143, p.Wait(T));
            Assert.Contains($"Continue with: nas resume t --store {tmp.Path}", p.Stderr);
            Assert.DoesNotContain("   at ", p.Stderr);
        }
        // The journal is intact: the experiment resumes and finishes.
        var resumed = CliProcess.Run(TimeSpan.FromMinutes(5), "resume", "t", "--store", tmp.Path);
        Assert.True(resumed.Code == 0, resumed.Out + resumed.Err);
        Assert.Contains("done: experiment t", resumed.Out);
    }

    [Fact]
    public void Akka_warnings_must_go_to_stderr_and_leave_stdout_to_progress_and_the_result()
    {
        using var tmp = new TempStore();
        // Work that outlives its lease (1.5 s of synthetic work, a 1 s lease, no progress reports) makes the
        // experiment log warnings while it still finishes.
        var (code, stdout, stderr) = CliProcess.Run(TimeSpan.FromMinutes(3), "search", "--config", "hocon/smoke.conf", "--name", "w", "--store", tmp.Path,
            "--set", "trainers.backend=synthetic", "--set", "trainers.synthetic-cost=1500ms", "--set", "runtime.lease-timeout=1s",
            "--set", "train.total-steps=20", "--set", "train.steps-per-round=10", "--set", "strategies.spos-evolution.generations=1");
        Assert.True(code == 0, $"exit {code}:\n{stdout}\n{stderr}");
        Assert.Contains("lease of", stderr);
        Assert.DoesNotContain("lease of", stdout);
        Assert.DoesNotContain("[WARNING]", stdout);
        Assert.Contains("best architecture", stdout);
    }
}
