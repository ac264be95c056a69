using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace NasActors.Cli.Tests;

/// <summary>
/// Synthetic smoke experiments made once for the store-identity tests: a finished one (with a copy of its journal taken
/// mid-run, killed), another run under the same name in another store, and another experiment. Each test damages copies.
/// </summary>
public sealed class IdentityStores : IDisposable
{
    public static readonly string[] Synthetic = ["--config", "hocon/smoke.conf", "--set", "nas.trainers.backend = synthetic"];
    private readonly TempStore _dir = new();
    public string Root => _dir.Path;
    public string Finished => Path.Combine(Root, "finished");
    public string SameNameOtherRun => Path.Combine(Root, "other-run");
    /// <summary>The finished experiment's directory as a kill -9 left it mid-run (journal.db, its -wal, identity.json).</summary>
    public string Killed => Path.Combine(Root, "killed-copy");
    public string Reference { get; }

    public IdentityStores()
    {
        var store = Finished;
        // Slow enough (20 ms per work item) for a kill in the middle.
        var db = Path.Combine(store, "a", "journal.db");
        JournalKill.When(db, e => e.Count >= 25, ["search", "--name", "a", "--store", store, .. Synthetic, "--set", "nas.trainers.synthetic-cost = 20ms"]);
        SqliteConnection.ClearAllPools();
        Copy(Path.Combine(store, "a"), Path.Combine(Killed, "a"));
        var (code, _, err) = CliProcess.Run(JournalKill.Long, "resume", "a", "--store", store);
        Assert.True(code == 0, err);
        Reference = CliProcess.Export(store, "a");
        (code, _, err) = CliProcess.Run(JournalKill.Long, ["search", "--name", "a", "--store", SameNameOtherRun, .. Synthetic, "--set", "nas.trainers.synthetic-cost = 20ms"]);
        Assert.True(code == 0, err);
        (code, _, err) = CliProcess.Run(JournalKill.Long, ["search", "--name", "b", "--store", SameNameOtherRun, .. Synthetic]);
        Assert.True(code == 0, err);
    }

    public static void Copy(string from, string to)
    {
        foreach (var f in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var dest = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(f, dest, overwrite: true);
        }
        Directory.CreateDirectory(Path.Combine(to, "checkpoints"));
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>One <see cref="IdentityStores"/> for the classes that only read copies of it.</summary>
[CollectionDefinition(Name)]
public sealed class IdentityStoresCollection : ICollectionFixture<IdentityStores>
{
    public const string Name = "identity stores";
}

/// <summary>
/// An experiment directory carries its identity (identity.json): a journal that is missing, empty, rolled back,
/// stripped of its WAL or another experiment's, and a renamed directory, are refused by `status`, `export` and `resume`
/// with one line and exit code 2, and nothing in the directory changes. Real processes through the CLI.
/// </summary>
[Collection(IdentityStoresCollection.Name)]
public sealed class StoreIdentityTests(IdentityStores stores, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Every file under <paramref name="dir"/> with its SHA-256: what "nothing changed" compares.</summary>
    internal static SortedDictionary<string, string> Snapshot(string dir) => new(
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    /// <summary>status, export and resume each exit 2 with one line containing <paramref name="expected"/>, and change nothing.</summary>
    internal static void AllRefuse(ITestOutputHelper output, string store, string name, string expected)
    {
        var dir = Path.Combine(store, name);
        var before = Snapshot(dir);
        foreach (var args in new[] { ["status", name], ["export", name], new[] { "resume", name } })
        {
            var (code, stdout, stderr) = CliProcess.Run(Timeout, [.. args, "--store", store]);
            output.WriteLine($"{args[0]}: {code} {stderr.Trim()}");
            Assert.True(code == 2, $"{args[0]} exited {code}, not 2:\n{stdout}\n{stderr}");
            Assert.Single(stderr.Trim().Split('\n'));
            Assert.StartsWith("error: ", stderr);
            Assert.Contains(expected, stderr);
            Assert.DoesNotContain("   at ", stdout + stderr);
            SqliteConnection.ClearAllPools();
            var after = Snapshot(dir);
            // Reading a journal that has a WAL (a writer may be running) goes through SQLite's shared-memory index, which
            // SQLite creates beside it: an index of the WAL, not data.
            if (before.ContainsKey("journal.db-wal") && !before.ContainsKey("journal.db-shm")) after.Remove("journal.db-shm");
            Assert.Equal(before, after);
        }
    }

    private string Fresh(string from)
    {
        var root = Directory.CreateTempSubdirectory("nas-identity-").FullName;
        IdentityStores.Copy(from, Path.Combine(root, "a"));
        return root;
    }

    private static string Db(string store, string name = "a") => Path.Combine(store, name, "journal.db");

    [Fact]
    public void Resume_status_and_export_must_refuse_a_deleted_journal()
    {
        var store = Fresh(Path.Combine(stores.Finished, "a"));
        File.Delete(Db(store));
        AllRefuse(output, store, "a", "has lost its journal");
        Directory.Delete(store, true);
    }

    [Fact]
    public void Resume_status_and_export_must_refuse_a_journal_truncated_to_zero_bytes()
    {
        var store = Fresh(Path.Combine(stores.Finished, "a"));
        File.WriteAllBytes(Db(store), []);
        AllRefuse(output, store, "a", "is empty, but identity.json records");
        Directory.Delete(store, true);
    }

    [Fact]
    public void Resume_status_and_export_must_refuse_the_journal_of_another_run_under_the_same_name()
    {
        var store = Fresh(Path.Combine(stores.Finished, "a"));
        File.Copy(Db(stores.SameNameOtherRun), Db(store), overwrite: true);
        AllRefuse(output, store, "a", "is not this experiment's");
        Directory.Delete(store, true);
    }

    [Fact]
    public void Resume_status_and_export_must_refuse_the_journal_of_another_experiment()
    {
        var store = Fresh(Path.Combine(stores.Finished, "a"));
        File.Copy(Db(stores.SameNameOtherRun, "b"), Db(store), overwrite: true);
        AllRefuse(output, store, "a", "holds experiment 'b' instead of this one's");
        Directory.Delete(store, true);
    }

    [Fact]
    public void Resume_status_and_export_must_refuse_a_journal_rolled_back_to_an_older_copy()
    {
        var store = Fresh(Path.Combine(stores.Finished, "a"));
        // The copy taken when the run was killed: journal.db and its WAL, without the identity file of that moment.
        File.Copy(Db(stores.Killed), Db(store), overwrite: true);
        File.Copy(Db(stores.Killed) + "-wal", Db(store) + "-wal", overwrite: true);
        AllRefuse(output, store, "a", "was rolled back to an older copy");
        Directory.Delete(store, true);
    }

    [Fact]
    public void Resume_status_and_export_must_refuse_a_killed_run_whose_wal_was_deleted()
    {
        var store = Fresh(Path.Combine(stores.Killed, "a"));
        Assert.True(File.Exists(Db(store) + "-wal"), "the kill should leave a WAL");
        File.Delete(Db(store) + "-wal");
        File.Delete(Db(store) + "-shm");
        AllRefuse(output, store, "a", "lost its journal.db-wal");
        Directory.Delete(store, true);
    }

    [Fact]
    public void Resume_status_and_export_must_refuse_a_damaged_identity_file()
    {
        var store = Fresh(Path.Combine(stores.Finished, "a"));
        var path = Path.Combine(store, "a", "identity.json");
        File.WriteAllText(path, File.ReadAllText(path)[..40]);
        AllRefuse(output, store, "a", "identity.json is damaged");
        Directory.Delete(store, true);
    }

    [Fact]
    public void A_killed_run_resumed_must_finish_with_the_uninterrupted_export()
    {
        // The identity file may lag the journal after a kill -9, never lead it: the killed copy resumes normally.
        var store = Fresh(Path.Combine(stores.Killed, "a"));
        var (code, stdout, stderr) = CliProcess.Run(JournalKill.Long, "resume", "a", "--store", store);
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal(stores.Reference, CliProcess.Export(store, "a"));
        Directory.Delete(store, true);
    }

    [Fact]
    public void A_renamed_experiment_directory_must_be_refused_with_the_fix_and_work_once_renamed_back()
    {
        var store = Fresh(Path.Combine(stores.Finished, "a"));
        Directory.Move(Path.Combine(store, "a"), Path.Combine(store, "renamed"));
        AllRefuse(output, store, "renamed", $"was renamed from 'a' to 'renamed'");
        var (code, stdout, stderr) = CliProcess.Run(Timeout, "status", "--store", store);
        Assert.True(code == 0, stderr);
        Assert.Contains("renamed", stdout);
        Assert.Contains("unreadable: experiment directory", stdout);
        Assert.Contains($"mv {Path.Combine(store, "renamed")} {Path.Combine(store, "a")}", stdout);

        Directory.Move(Path.Combine(store, "renamed"), Path.Combine(store, "a"));
        Assert.Equal(stores.Reference, CliProcess.Export(store, "a"));
        Directory.Delete(store, true);
    }

    [Fact]
    public void A_copied_experiment_directory_must_be_refused_as_a_copy()
    {
        var store = Fresh(Path.Combine(stores.Finished, "a"));
        IdentityStores.Copy(Path.Combine(store, "a"), Path.Combine(store, "fork"));
        AllRefuse(output, store, "fork", "is a copy of experiment 'a'");
        Directory.Delete(store, true);
    }

    [Fact]
    public void A_store_without_identity_file_must_read_as_before_and_get_one_on_resume()
    {
        // What stores made before identity.json look like.
        var store = Fresh(Path.Combine(stores.Finished, "a"));
        var identity = Path.Combine(store, "a", "identity.json");
        var written = File.ReadAllText(identity);
        File.Delete(identity);
        Assert.Equal(stores.Reference, CliProcess.Export(store, "a"));
        Assert.False(File.Exists(identity), "status and export write nothing");

        // A renamed one is still recognised, from the experiment named in its journal.
        Directory.Move(Path.Combine(store, "a"), Path.Combine(store, "renamed"));
        AllRefuse(output, store, "renamed", "was renamed from 'a' to 'renamed'");
        Directory.Move(Path.Combine(store, "renamed"), Path.Combine(store, "a"));

        var (code, stdout, stderr) = CliProcess.Run(Timeout, "resume", "a", "--store", store);
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal(written, File.ReadAllText(identity));
        Directory.Delete(store, true);
    }
}
