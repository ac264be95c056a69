using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using NasActors.Core;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Tests.Support;

namespace NasActors.Runtime.Tests.Hosting;

/// <summary>
/// identity.json: written whole or not at all, may lag the journal (a kill between a write and its update) but a
/// journal behind it is refused. The CLI tests (NasActors.Cli.Tests.StoreIdentityTests) cover the commands.
/// </summary>
public sealed class StoreIdentityTests(FinishedJournal finished) : IClassFixture<FinishedJournal>, IDisposable
{
    private const string Name = FinishedJournal.Name;
    private readonly List<TempStore> _copies = [];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var c in _copies) c.Dispose();
    }

    private ExperimentStore Copy()
    {
        var dir = new TempStore();
        _copies.Add(dir);
        return finished.CopyInto(dir);
    }

    private static void SetLastSequence(ExperimentStore store, long last)
    {
        var path = StoreIdentity.PathOf(store, Name);
        var o = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        o["last_sequence"] = last;
        File.WriteAllText(path, o.ToJsonString());
    }

    [Fact]
    public void StoreIdentity_must_record_the_journal_the_finished_experiment_wrote()
    {
        var store = Copy();
        var identity = StoreIdentity.Read(store, Name)!;
        var facts = ExperimentJournal.Facts(store, Name);
        Assert.Equal(facts.LastSequence, identity.LastSequence);
        Assert.Equal(facts.FirstEvent, identity.FirstEvent);
        Assert.Equal(ExperimentProtocol.PersistenceId(Name), identity.PersistenceId);
    }

    [Fact]
    public void Verify_must_accept_an_identity_that_lags_the_journal_and_refuse_a_journal_behind_it()
    {
        var store = Copy();
        var last = StoreIdentity.Read(store, Name)!.LastSequence;
        SetLastSequence(store, last - 3); // a kill before the file caught up
        StoreIdentity.Verify(store, Name);
        SetLastSequence(store, last + 1);
        var e = Assert.Throws<NasUserException>(() => StoreIdentity.Verify(store, Name));
        Assert.Contains($"ends at event {last}, but the experiment had reached event {last + 1}", e.Message);
    }

    [Fact]
    public void StoreKeeper_must_write_an_identity_for_a_store_made_before_the_file_existed()
    {
        var store = Copy();
        var expected = StoreIdentity.Read(store, Name);
        File.Delete(StoreIdentity.PathOf(store, Name));
        StoreIdentity.Verify(store, Name); // accepted as it is
        _ = new StoreKeeper(store, Name);
        Assert.Equal(expected, StoreIdentity.Read(store, Name));
    }

    [Fact]
    public void StoreIdentity_must_report_a_full_disk_in_one_line_and_keep_the_file_it_had()
    {
        using var disk = new Tmpfs("64");
        var old = StoreIdentity.New("x");
        old.WriteTo(disk.Path);
        var text = File.ReadAllText(Path.Combine(disk.Path, StoreIdentity.FileName));
        disk.Fill(0);

        var e = Assert.Throws<NasUserException>(() => (old with { FirstEvent = new string('a', 32), LastSequence = 9 }).WriteTo(disk.Path));
        Assert.Matches($@"^disk full at {System.Text.RegularExpressions.Regex.Escape(disk.Path)} \([\d.]+ MB free\)$", e.Message);
        Assert.Equal(text, File.ReadAllText(Path.Combine(disk.Path, StoreIdentity.FileName)));
        Assert.Equal(["filler", StoreIdentity.FileName], Directory.GetFiles(disk.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
