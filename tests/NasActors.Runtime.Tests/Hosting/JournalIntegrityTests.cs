using System.Text;
using Microsoft.Data.Sqlite;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Tests.Support;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace NasActors.Runtime.Tests.Hosting;

/// <summary>One finished synthetic experiment, journaled once for the damage tests, which each damage a copy of it.</summary>
public sealed class FinishedJournal : IDisposable
{
    public const string Name = "done";
    private readonly TempStore _dir = new();
    public string Root => _dir.Root;
    public PlanStatus Status { get; }
    public string ConfigText { get; } = ExperimentHostTests.ConfigText(2, extra: "nas.trainers.backend = synthetic\n");

    private readonly TempStore _other = new();

    /// <summary>The journal of another run of the same experiment (same name, config and seed): another writer.</summary>
    public string OtherRunJournal => new ExperimentStore(_other.Root).JournalPath(Name);

    /// <summary>A fresh copy of the finished store in <paramref name="dir"/> (the caller disposes it).</summary>
    public ExperimentStore CopyInto(TempStore dir)
    {
        foreach (var f in Directory.GetFiles(Root, "*", SearchOption.AllDirectories))
        {
            var dest = Path.Combine(dir.Root, Path.GetRelativePath(Root, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(f, dest);
        }
        return new ExperimentStore(dir.Root);
    }

    public FinishedJournal()
    {
        Status = Run(_dir.Root);
        Run(_other.Root);
    }

    private PlanStatus Run(string root)
    {
        PlanStatus status;
        var store = new ExperimentStore(root);
        store.Create(Name, ConfigText);
        var settings = JournalIntegrityTests.SettingsOf(store, ConfigText);
        var space = Spaces.Tiny();
        var host = ExperimentHost.Start(store, Name, settings, new SyntheticBackendFactory(space, Spaces.CostsOf(space), TimeSpan.Zero));
        try
        {
            host.Completion.Wait(TimeSpan.FromSeconds(60));
            status = host.Status(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult().Plan;
        }
        finally
        {
            host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        SqliteConnection.ClearAllPools();
        if (!status.Finished) throw new InvalidOperationException("the synthetic experiment did not finish");
        return status;
    }

    public void Dispose()
    {
        _dir.Dispose();
        _other.Dispose();
    }
}

/// <summary>
/// The store never lies: a journal damaged in its metadata (writer id, sequence numbers) or its payloads (checksums)
/// is refused, by `nas status`/`export` (<see cref="ExperimentJournal"/>) and by recovery, never read as a shorter or
/// different experiment.
/// </summary>
public sealed class JournalIntegrityTests(FinishedJournal finished, ITestOutputHelper output) : IClassFixture<FinishedJournal>, IDisposable
{
    private const string Name = FinishedJournal.Name;
    private static readonly string Pid = ExperimentProtocol.PersistenceId(Name);
    private readonly List<TempStore> _copies = [];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var c in _copies) c.Dispose();
    }

    internal static NasSettings SettingsOf(ExperimentStore store, string text) =>
        NasSettings.Create(NasConfig.Parse(text, store.Source(Name)), store.Source(Name));

    /// <summary>A fresh copy of the finished store.</summary>
    private ExperimentStore Copy()
    {
        var dir = new TempStore();
        _copies.Add(dir);
        return finished.CopyInto(dir);
    }

    private static void Sql(ExperimentStore store, string sql, params (string Name, object Value)[] args)
    {
        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = store.JournalPath(Name), Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString()))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
            cmd.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
    }

    private static List<(string Name, string Sql)> Indexes(ExperimentStore store)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = store.JournalPath(Name), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'index' AND tbl_name = 'journal'";
        using var r = cmd.ExecuteReader();
        var list = new List<(string, string)>();
        while (r.Read()) list.Add((r.GetString(0), r.GetString(1)));
        return list;
    }

    private static IReadOnlyList<JournalRow> Rows(ExperimentStore store) => new Journal(store.JournalPath(Name)).Events(Pid);

    /// <summary>A score event in the middle of the journal.</summary>
    private static long MiddleScore(ExperimentStore store)
    {
        var rows = Rows(store);
        return rows.Where(r => r.Manifest == "nas.event.score-recorded.v2").Select(r => r.SequenceNr).First(s => s > 2 && s < rows.Count - 2);
    }

    private NasUserException ReadFails(ExperimentStore store)
    {
        var e = Assert.Throws<NasUserException>(() => ExperimentJournal.Read(store, Name, SettingsOf(store, finished.ConfigText)));
        output.WriteLine(e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.Contains($"'{Name}'", e.Message);
        return e;
    }

    private async Task<ExperimentFailedException> RecoveryFails(ExperimentStore store)
    {
        var space = Spaces.Tiny();
        var host = ExperimentHost.Start(store, Name, SettingsOf(store, finished.ConfigText), new SyntheticBackendFactory(space, Spaces.CostsOf(space), TimeSpan.Zero));
        try
        {
            var e = await Assert.ThrowsAsync<ExperimentFailedException>(() => host.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(e.Message);
            Assert.True(e.UserError);
            Assert.Contains($"the journal of experiment '{Name}' cannot be replayed", e.Message);
            Assert.DoesNotContain("\n", e.Message);
            return e;
        }
        finally
        {
            await host.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }
    }

    [Fact]
    public void ExperimentJournal_must_read_the_undamaged_copy_as_the_live_experiment_reported_it()
    {
        var store = Copy();
        Deep.Equal(finished.Status, ExperimentJournal.Read(store, Name, SettingsOf(store, finished.ConfigText)).Status);
    }

    [Fact]
    public async Task A_changed_digit_in_an_event_must_fail_status_and_recovery_naming_the_event()
    {
        var store = Copy();
        var seq = MiddleScore(store);
        var row = Rows(store).Single(r => r.SequenceNr == seq);
        var text = Encoding.UTF8.GetString(row.Payload);
        var at = text.IndexOf("\"Accuracy\":", StringComparison.Ordinal) + "\"Accuracy\":".Length;
        while (!char.IsAsciiDigit(text[at]) || text[at] == '0') at++;
        var changed = text[..at] + (char)('1' + (text[at] - '0') % 9) + text[(at + 1)..];
        Sql(store, "UPDATE journal SET message = $m WHERE persistence_id = $p AND sequence_number = $s",
            ("$m", Encoding.UTF8.GetBytes(changed)), ("$p", Pid), ("$s", seq));

        var read = ReadFails(store);
        Assert.Contains($"event {seq} of experiment '{Name}' (persistence id {Pid})", read.Message);
        Assert.Contains("fails its checksum", read.Message);
        Assert.Contains("checksum", (await RecoveryFails(store)).Message);
    }

    [Fact]
    public async Task A_payload_without_its_checksum_line_must_be_refused()
    {
        var store = Copy();
        var seq = MiddleScore(store);
        var json = JournalRow.StripChecksum(Rows(store).Single(r => r.SequenceNr == seq).Payload).ToArray();
        Sql(store, "UPDATE journal SET message = $m WHERE persistence_id = $p AND sequence_number = $s", ("$m", json), ("$p", Pid), ("$s", seq));

        Assert.Contains($"event {seq} of experiment '{Name}' (persistence id {Pid})", ReadFails(store).Message);
        Assert.Contains("no checksum line", (await RecoveryFails(store)).Message);
    }

    [Fact]
    public async Task A_damaged_writer_id_must_fail_status_and_recovery_instead_of_dropping_events()
    {
        var store = Copy();
        var seq = MiddleScore(store);
        Sql(store, "UPDATE journal SET writer_uuid = $w WHERE persistence_id = $p AND sequence_number = $s",
            ("$w", Guid.NewGuid().ToString()), ("$p", Pid), ("$s", seq));

        Assert.Contains($"event {seq + 1} of experiment '{Name}' (persistence id {Pid}) comes from writer", ReadFails(store).Message);
        await RecoveryFails(store);
    }

    [Fact]
    public async Task A_lost_event_must_fail_status_and_recovery_naming_it()
    {
        var store = Copy();
        var seq = MiddleScore(store);
        Sql(store, "DELETE FROM journal WHERE persistence_id = $p AND sequence_number = $s", ("$p", Pid), ("$s", seq));

        Assert.Contains($"event {seq} of experiment '{Name}' (persistence id {Pid}) is missing", ReadFails(store).Message);
        Assert.Contains($"event {seq} of {Pid} is missing", (await RecoveryFails(store)).Message);
    }

    [Fact]
    public async Task A_repeated_sequence_number_must_fail_status_and_recovery_naming_it()
    {
        var store = Copy();
        var seq = MiddleScore(store);
        // The plugin's unique index would refuse the copy: make it a plain one under the same name (which the plugin's
        // CREATE ... IF NOT EXISTS keeps), as a damaged or hand-edited file may have.
        foreach (var (index, sql) in Indexes(store))
        {
            output.WriteLine($"{index}: {sql}");
            if (sql.Contains("UNIQUE", StringComparison.OrdinalIgnoreCase))
                Sql(store, $"DROP INDEX \"{index}\"; {sql.Replace("UNIQUE ", "", StringComparison.OrdinalIgnoreCase)};");
        }
        Sql(store, "CREATE TEMP TABLE d AS SELECT * FROM journal WHERE persistence_id = $p AND sequence_number = $s; " +
                   "UPDATE d SET ordering = (SELECT MAX(ordering) + 1 FROM journal); INSERT INTO journal SELECT * FROM d;", ("$p", Pid), ("$s", seq));
        Assert.Equal(2, Rows(store).Count(r => r.SequenceNr == seq));

        Assert.Contains($"event {seq} of experiment '{Name}' (persistence id {Pid}) appears twice", ReadFails(store).Message);
        Assert.Contains($"event {seq} of {Pid} appears twice", (await RecoveryFails(store)).Message);
    }

    /// <summary>
    /// Fault injection, seeded: each case damages a fresh copy of the finished store in one way (an event's bytes,
    /// metadata or order, the journal file, its identity file, or the journal swapped for an older or another run's);
    /// ExperimentJournal must then read exactly the undamaged status or refuse with one line, never read a different
    /// experiment. (Real processes: NasActors.Cli.Tests.StoreIdentityTests; the outcomes per kind are printed.)
    /// </summary>
    [Fact]
    public void Damaged_journals_must_read_as_the_original_or_be_refused_in_one_line()
    {
        const int Cases = 96;
        var random = new Random(20260101);
        string[] kinds = ["message-byte", "manifest-byte", "delete-row", "swap-sequence", "truncate-file", "zero-header",
            "identity-byte", "identity-truncate", "journal-delete", "journal-empty", "rolled-back", "other-run-journal"];
        var outcomes = new Dictionary<string, int>();
        var violations = new List<string>();
        for (var i = 0; i < Cases; i++)
        {
            var kind = kinds[i % kinds.Length];
            var store = Copy();
            var rows = Rows(store);
            var path = store.JournalPath(Name);
            var a = rows[random.Next(rows.Count)];
            string what;
            switch (kind)
            {
                case "message-byte":
                {
                    var bytes = (byte[])a.Payload.Clone();
                    var at = random.Next(bytes.Length);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    Sql(store, "UPDATE journal SET message = $m WHERE persistence_id = $p AND sequence_number = $s", ("$m", bytes), ("$p", Pid), ("$s", a.SequenceNr));
                    what = $"event {a.SequenceNr} byte {at}";
                    break;
                }
                case "manifest-byte":
                {
                    var chars = a.Manifest.ToCharArray();
                    var at = random.Next(chars.Length);
                    chars[at] = (char)(chars[at] ^ (1 << random.Next(7)));
                    Sql(store, "UPDATE journal SET manifest = $m WHERE persistence_id = $p AND sequence_number = $s", ("$m", new string(chars)), ("$p", Pid), ("$s", a.SequenceNr));
                    what = $"event {a.SequenceNr} manifest {new string(chars)}";
                    break;
                }
                case "delete-row":
                    // not the last: a journal one event shorter is the experiment as it stood before that event (what a
                    // crash before the last write leaves), which nothing in the journal can tell apart
                    a = rows[random.Next(rows.Count - 1)];
                    Sql(store, "DELETE FROM journal WHERE persistence_id = $p AND sequence_number = $s", ("$p", Pid), ("$s", a.SequenceNr));
                    what = $"event {a.SequenceNr} deleted";
                    break;
                case "swap-sequence":
                {
                    var b = rows[random.Next(rows.Count)];
                    Sql(store, "UPDATE journal SET sequence_number = -1 WHERE persistence_id = $p AND sequence_number = $a; " +
                               "UPDATE journal SET sequence_number = $a WHERE persistence_id = $p AND sequence_number = $b; " +
                               "UPDATE journal SET sequence_number = $b WHERE persistence_id = $p AND sequence_number = -1;",
                        ("$p", Pid), ("$a", a.SequenceNr), ("$b", b.SequenceNr));
                    what = $"events {a.SequenceNr} and {b.SequenceNr} swapped";
                    break;
                }
                case "truncate-file":
                {
                    var length = new FileInfo(path).Length;
                    var keep = random.NextInt64(length);
                    using (var f = new FileStream(path, FileMode.Open)) f.SetLength(keep);
                    what = $"file truncated to {keep} of {length} bytes";
                    break;
                }
                case "zero-header":
                {
                    using (var f = new FileStream(path, FileMode.Open)) f.Write(new byte[100]);
                    what = "header zeroed";
                    break;
                }
                case "identity-byte":
                {
                    var file = StoreIdentity.PathOf(store, Name);
                    var bytes = File.ReadAllBytes(file);
                    var at = random.Next(bytes.Length);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    File.WriteAllBytes(file, bytes);
                    what = $"identity.json byte {at}";
                    break;
                }
                case "identity-truncate":
                {
                    var file = StoreIdentity.PathOf(store, Name);
                    var keep = random.Next((int)new FileInfo(file).Length);
                    using (var f = new FileStream(file, FileMode.Open)) f.SetLength(keep);
                    what = $"identity.json truncated to {keep} bytes";
                    break;
                }
                case "journal-delete":
                    File.Delete(path);
                    what = "journal.db deleted";
                    break;
                case "journal-empty":
                    File.WriteAllBytes(path, []);
                    what = "journal.db emptied";
                    break;
                case "rolled-back":
                {
                    // An older copy of the same journal: its last k events not yet written.
                    var k = 1 + random.Next(Math.Min(10, rows.Count - 1));
                    Sql(store, "DELETE FROM journal WHERE persistence_id = $p AND sequence_number > $s", ("$p", Pid), ("$s", rows.Count - k));
                    what = $"the last {k} events gone";
                    break;
                }
                default:
                    File.Copy(finished.OtherRunJournal, path, overwrite: true);
                    what = "another run's journal.db";
                    break;
            }
            string outcome;
            try
            {
                var status = ExperimentJournal.Read(store, Name, SettingsOf(store, finished.ConfigText)).Status;
                try
                {
                    Deep.Equal(finished.Status, status);
                    outcome = "same status";
                }
                catch (XunitException x)
                {
                    outcome = "DIFFERENT STATUS";
                    violations.Add($"{kind} ({what}): {x.Message}");
                }
            }
            catch (NasUserException e)
            {
                outcome = "refused";
                if (e.Message.Contains('\n')) violations.Add($"{kind} ({what}): a refusal of more than one line: {e.Message}");
            }
            catch (Exception e)
            {
                outcome = "CRASH " + e.GetType().Name;
                violations.Add($"{kind} ({what}): {e}");
            }
            // Resume's gate (before the plugin could create or append to anything): a journal that is gone, empty,
            // older or another run's would otherwise be started over or continued as if it were this experiment's.
            if (kind is "journal-delete" or "journal-empty" or "rolled-back" or "other-run-journal")
            {
                try
                {
                    StoreIdentity.Verify(store, Name);
                    violations.Add($"{kind} ({what}): resume's identity check let it through");
                }
                catch (NasUserException e) when (!e.Message.Contains('\n')) { outcome += ", resume refused"; }
            }
            outcomes[$"{kind}: {outcome}"] = outcomes.GetValueOrDefault($"{kind}: {outcome}") + 1;
            output.WriteLine($"case {i}: {kind} ({what}) -> {outcome}");
            SqliteConnection.ClearAllPools();
        }
        foreach (var (k, n) in outcomes.OrderBy(kv => kv.Key)) output.WriteLine($"{k} x{n}");
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }
}
