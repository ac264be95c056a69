using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using NasActors.Runtime.Tests.Support;

namespace NasActors.Cli.Tests;

/// <summary>
/// A disk that fills up (a small tmpfs, as root): every write that fails for lack of space ends the command with one
/// line, "disk full at PATH (N MB free): free space, then `nas resume NAME --store DIR`", exit code 2, no stack trace
/// and no 30 s wait, nothing half-written; once space is freed the resumed experiment exports what an uninterrupted run
/// does. Covers the journal (SQLite), a checkpoint, the refusal to start on a nearly full disk, and reading a full one.
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private void AssertDiskFullLine(int code, string stdout, string stderr, string path, string name, string store, TimeSpan took)
    {
        output.WriteLine($"exit {code} after {took.TotalSeconds:F1} s: {stderr.Trim()}");
        Assert.True(code == 2, $"exit {code}, not 2:\n{stdout}\n{stderr}");
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Matches($@"^error: disk full at {System.Text.RegularExpressions.Regex.Escape(path)} \([\d.]+ MB free\): free space, then `nas resume {name} --store {System.Text.RegularExpressions.Regex.Escape(store)}`$", stderr.Trim());
        Assert.DoesNotContain("   at ", stdout);
        Assert.DoesNotContain("Exception", stdout);
        Assert.True(took < TimeSpan.FromSeconds(25), $"it took {took}: a full disk must not wait for a timeout");
    }

    private static (int, string, string, TimeSpan) Timed(params string[] args)
    {
        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = CliProcess.Run(Timeout, args);
        return (code, stdout, stderr, clock.Elapsed);
    }

    private static string Reference(TempStore dir, string name, params string[] searchArgs)
    {
        var (code, stdout, stderr) = CliProcess.Run(Timeout, ["search", "--name", name, "--store", dir.Path, .. searchArgs]);
        Assert.True(code == 0, stdout + stderr);
        return CliProcess.Export(dir.Path, name);
    }

    [Fact]
    public void A_journal_that_fills_the_disk_must_stop_the_search_in_one_line_and_resume_to_the_same_export()
    {
        using var normal = new TempStore();
        var reference = Reference(normal, "a", IdentityStores.Synthetic);
        using var disk = new Tmpfs("4096");
        var store = Path.Combine(disk.Path, "store");
        // The journal's WAL of a synthetic smoke run grows to ~1.3 MB: 1.4 MB free is enough to start, not to finish.
        var filler = disk.Fill(1400);

        var (code, stdout, stderr, took) = Timed(["search", "--name", "a", "--store", store, .. IdentityStores.Synthetic]);
        AssertDiskFullLine(code, stdout, stderr, Path.Combine(store, "a"), "a", store, took);
        var dir = Path.Combine(store, "a");
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
        using (var identity = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "identity.json"))))
            Assert.Equal("a", identity.RootElement.GetProperty("experiment").GetString());

        File.Delete(filler);
        (code, stdout, stderr) = CliProcess.Run(Timeout, "resume", "a", "--store", store);
        Assert.True(code == 0, stdout + stderr);
        SqliteConnection.ClearAllPools();
        Assert.Equal(reference, CliProcess.Export(store, "a"));
    }

    [Fact]
    public void A_full_disk_must_be_refused_before_resume_opens_the_journal_while_status_and_export_still_read_it()
    {
        using var disk = new Tmpfs("4096");
        var store = Path.Combine(disk.Path, "store");
        var (code, stdout, stderr) = CliProcess.Run(Timeout, ["search", "--name", "a", "--store", store, .. IdentityStores.Synthetic]);
        Assert.True(code == 0, stdout + stderr);
        var reference = CliProcess.Export(store, "a");
        File.Delete(Path.Combine(store, "a.json"));
        var filler = disk.Fill(0);
        var dir = Path.Combine(store, "a");
        var before = StoreIdentityTests.Snapshot(dir);

        var (rc, o, e, took) = Timed("resume", "a", "--store", store);
        AssertDiskFullLine(rc, o, e, dir, "a", store, took);
        Assert.Equal(before, StoreIdentityTests.Snapshot(dir));

        // Reading needs no space.
        (code, stdout, stderr) = CliProcess.Run(Timeout, "status", "a", "--store", store);
        Assert.True(code == 0, stdout + stderr);
        (code, stdout, stderr) = CliProcess.Run(Timeout, "export", "a", "--store", store);
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal(reference, stdout);
        Assert.Equal(before, StoreIdentityTests.Snapshot(dir));
        File.Delete(filler);
    }

    [Fact]
    public void A_checkpoint_that_fills_the_disk_must_stop_the_search_in_one_line_and_resume_to_the_same_export()
    {
        // Real (Torch) training, shortened: 4 rounds of 10 steps; a supernet checkpoint is ~190 kB.
        string[] config = ["--config", "hocon/smoke.conf", "--set", "nas.train.total-steps = 40", "--set", "nas.train.steps-per-round = 10"];
        using var normal = new TempStore();
        var reference = Reference(normal, "t", config);

        using var store = new TempStore();
        var db = Path.Combine(store.Path, "t", "journal.db");
        // Killed once the experiment has started and before any checkpoint exists.
        JournalKill.When(db, e => e.Count >= 1, ["search", "--name", "t", "--store", store.Path, .. config]);
        var checkpoints = Path.Combine(store.Path, "t", "checkpoints");
        Assert.Empty(Directory.GetFiles(checkpoints));
        int code;
        string stdout, stderr;
        using (new Tmpfs("64", at: checkpoints))
        {
            var (rc, o, e, took) = Timed("resume", "t", "--store", store.Path);
            AssertDiskFullLine(rc, o, e, checkpoints, "t", store.Path, took);
            Assert.Empty(Directory.GetFiles(checkpoints)); // no temp file left behind
        }
        (code, stdout, stderr) = CliProcess.Run(Timeout, "resume", "t", "--store", store.Path);
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal(reference, CliProcess.Export(store.Path, "t"));
    }

    [Fact]
    public void A_search_on_a_full_disk_must_create_nothing_and_say_to_run_it_again()
    {
        using var disk = new Tmpfs("1024");
        var store = Path.Combine(disk.Path, "store");
        Directory.CreateDirectory(store);
        disk.Fill(0);
        var (code, stdout, stderr, took) = Timed(["search", "--name", "a", "--store", store, .. IdentityStores.Synthetic]);
        output.WriteLine($"exit {code} after {took.TotalSeconds:F1} s: {stderr.Trim()}");
        Assert.True(code == 2, stdout + stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Matches($@"^error: disk full at {System.Text.RegularExpressions.Regex.Escape(store)} \([\d.]+ MB free\): free space, then run the same `nas search` again \(nothing was created\)$", stderr.Trim());
        Assert.Empty(Directory.GetFileSystemEntries(store));
    }
}
