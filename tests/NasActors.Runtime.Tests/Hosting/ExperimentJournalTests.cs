using System.Diagnostics;
using Microsoft.Data.Sqlite;
using NasActors.Core;
using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Tests.Support;
using Xunit.Abstractions;

namespace NasActors.Runtime.Tests.Hosting;

/// <summary>
/// `nas status` and `nas export` read an experiment's journal with plain SQL and fold it through the plan
/// (<see cref="ExperimentJournal"/>): no ActorSystem, nothing written.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes: the store runs on Linux
public sealed class ExperimentJournalTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempStore _dir = new();
    private ExperimentStore Store => new(_dir.Root);

    public void Dispose() => _dir.Dispose();

    private (string Name, NasSettings Settings) Create(ExperimentStore store, string name, string extra = "")
    {
        var text = ExperimentHostTests.ConfigText(2, extra: "nas.trainers.backend = synthetic\n" + extra);
        store.Create(name, text);
        return (name, NasSettings.Create(NasConfig.Parse(text, store.Source(name)), store.Source(name)));
    }

    /// <summary>A real run on the synthetic backend; returns what the live experiment reported when it finished.</summary>
    private async Task<ExperimentProtocol.StatusResult> Run(ExperimentStore store, string name, NasSettings settings)
    {
        var space = Spaces.Tiny();
        var host = ExperimentHost.Start(store, name, settings, new SyntheticBackendFactory(space, Spaces.CostsOf(space), TimeSpan.Zero));
        try
        {
            await host.Completion.WaitAsync(Timeout);
            return await host.Status(Timeout);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task ExperimentJournal_must_fold_a_finished_journal_into_the_status_the_live_experiment_reported()
    {
        var store = Store;
        var (name, settings) = Create(store, "done", "nas.retrain.epochs = 2");
        var live = await Run(store, name, settings);
        Assert.True(live.Plan.Finished);
        Assert.NotNull(live.Plan.Retrained);

        var view = ExperimentJournal.Read(store, name, settings);
        Deep.Equal(live.Plan, view.Status);
        Assert.Equal((name, "spos-evolution", settings.Seed, settings.ResultHash, ExperimentProtocol.Format),
            (view.Started.Name, view.Started.Strategy, view.Started.Seed, view.Started.SettingsHash, view.Started.Format));
        Assert.Equal(Spaces.Tiny().Hash, view.Started.ToSpace().Hash);
        Assert.Equal(new Journal(store.JournalPath(name)).Events(ExperimentProtocol.PersistenceId(name)).Count, view.Events);
    }

    [Fact]
    public async Task ExperimentJournal_must_read_a_running_experiment_as_the_live_one_reports_it()
    {
        var store = Store;
        var text = ExperimentHostTests.ConfigText(1);
        store.Create("running", text);
        var settings = NasSettings.Create(NasConfig.Parse(text, store.Source("running")), store.Source("running"));
        var factory = new FakeBackendFactory(Spaces.Tiny());
        var scores = 0;
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        factory.Hook = (op, ct) =>
        {
            if (op != "score" || Interlocked.Increment(ref scores) <= 2) return;
            blocked.TrySetResult();
            Task.Delay(System.Threading.Timeout.Infinite, ct).Wait(CancellationToken.None);
        };
        var host = ExperimentHost.Start(store, "running", settings, factory);
        try
        {
            await blocked.Task.WaitAsync(Timeout);
            var journal = new Journal(store.JournalPath("running"));
            await ExperimentHostTests.Until(() => journal.Count(ExperimentProtocol.PersistenceId("running"), "nas.event.score-recorded.v2") == 2);
            var live = await host.Status(Timeout);
            var view = ExperimentJournal.Read(store, "running", settings); // beside the writer (WAL)
            Deep.Equal(live.Plan, view.Status);
            Assert.Equal(("search", 2), (view.Status.Phase, view.Status.Scored));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public void ExperimentJournal_must_report_a_missing_journal_naming_the_file_and_create_nothing()
    {
        var store = Store;
        var (name, settings) = Create(store, "never-run");
        // Made by a version before identity.json: nothing says whether the journal ever existed.
        File.Delete(StoreIdentity.PathOf(store, name));
        var before = Directory.GetFileSystemEntries(store.DirectoryOf(name), "*", SearchOption.AllDirectories).Order().ToList();

        var e = Assert.Throws<NasUserException>(() => ExperimentJournal.Read(store, name, settings));
        Assert.Contains(store.JournalPath(name), e.Message);
        Assert.Contains("is missing", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        ExperimentJournal.CheckFormat(store, name); // no journal yet: nothing to refuse

        Assert.Equal(before, Directory.GetFileSystemEntries(store.DirectoryOf(name), "*", SearchOption.AllDirectories).Order());
        Assert.False(File.Exists(store.JournalPath(name)));
    }

    [Fact]
    public void ExperimentJournal_must_report_a_created_but_never_started_experiment_and_create_nothing()
    {
        var store = Store;
        var (name, settings) = Create(store, "never-started");
        var before = Directory.GetFileSystemEntries(store.DirectoryOf(name), "*", SearchOption.AllDirectories).Order().ToList();

        var e = Assert.Throws<NasUserException>(() => ExperimentJournal.Read(store, name, settings));
        Assert.Contains("has no journal events yet (it was created but never started)", e.Message);

        Assert.Equal(before, Directory.GetFileSystemEntries(store.DirectoryOf(name), "*", SearchOption.AllDirectories).Order());
        Assert.False(File.Exists(store.JournalPath(name)));
    }

    [Theory]
    [InlineData("empty database")]
    [InlineData("not a database")]
    [InlineData("no events")]
    public void ExperimentJournal_must_refuse_a_journal_it_cannot_read_in_one_line(string kind)
    {
        var store = Store;
        var (name, settings) = Create(store, "odd");
        var path = store.JournalPath(name);
        switch (kind)
        {
            case "empty database":
                using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
                {
                    c.Open();
                    using var cmd = c.CreateCommand();
                    cmd.CommandText = "CREATE TABLE other (x INTEGER)";
                    cmd.ExecuteNonQuery();
                }
                break;
            case "not a database":
                File.WriteAllText(path, "this is not a database, just some text that is long enough to have a header, and more");
                break;
            case "no events":
                using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
                {
                    c.Open();
                    using var cmd = c.CreateCommand();
                    cmd.CommandText = "CREATE TABLE journal (ordering INTEGER, persistence_id TEXT, sequence_number INTEGER, deleted INTEGER, manifest TEXT, message BLOB, writer_uuid TEXT)";
                    cmd.ExecuteNonQuery();
                }
                break;
        }
        var e = Assert.Throws<NasUserException>(() => ExperimentJournal.Read(store, name, settings));
        // An empty database is what a kill leaves between creating journal.db and the plugin's tables: not started yet.
        Assert.Contains(kind switch { "not a database" => "is not a readable SQLite database", _ => "has no journal events yet" }, e.Message);
        Assert.Contains(kind == "not a database" ? path : $"'{name}'", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public async Task ExperimentJournal_must_refuse_a_journal_of_another_strategy_than_its_config_says()
    {
        var store = Store;
        var (name, settings) = Create(store, "other");
        await Run(store, name, settings);
        var random = NasSettings.Create(NasConfig.Parse("nas.strategy = random", "x.conf"), "x.conf");
        var e = Assert.Throws<NasUserException>(() => ExperimentJournal.Read(store, name, random));
        Assert.Contains("was written with other settings than its config.conf now gives (strategy spos-evolution", e.Message);
        Assert.Contains("now random", e.Message);
    }

    /// <summary>The committed stores of format 1 (tests/golden/v1), copied: refused with the format-1 line, and not changed by the look.</summary>
    [Theory]
    [InlineData("spos-finished")]
    [InlineData("spos-interrupted")]
    [InlineData("enas-finished")]
    [InlineData("enas-interrupted")]
    [InlineData("spos-retrain")]
    [InlineData("enas-snapshots")]
    [InlineData("cluster-finished")]
    public void ExperimentJournal_must_refuse_a_store_of_format_1_and_leave_it_as_it_was(string name)
    {
        var root = Golden.CopyStore(_dir.Root);
        var store = new ExperimentStore(root);
        var before = Golden.Hashes(root);
        var (_, journal) = store.JournalLocation(name);
        Assert.Equal(name == "cluster-finished" ? Path.Combine(root, ".cluster", "journal.db") : store.JournalPath(name), journal);

        var e = Assert.Throws<NasUserException>(() => ExperimentJournal.CheckFormat(store, name));
        Assert.Contains("store format 1", e.Message);
        Assert.Contains($"'{name}'", e.Message);
        Assert.Equal(ExperimentJournal.FormatOne(name).Message, e.Message);
        Assert.DoesNotContain("\n", e.Message);
        // Reading it (status, export) says the same, whatever its config holds.
        Assert.Equal(e.Message, Assert.Throws<NasUserException>(() => ExperimentJournal.Read(store, name, NasSettings.Create(NasConfig.Reference, "reference.conf"))).Message);

        SqliteConnection.ClearAllPools();
        Assert.Equal(before, Golden.Hashes(root));
    }

    /// <summary>
    /// A store copied to read-only media. Root ignores file modes, so when the tests run as root the directory is
    /// made immutable (chattr +i), which root cannot write either; SQLite then cannot create the -wal/-shm files and
    /// the journal is opened as an immutable file. Without chattr the test still reads the chmod'ed copy.
    /// </summary>
    [Fact]
    public async Task ExperimentJournal_must_read_a_store_that_cannot_be_written()
    {
        var store = Store;
        var (name, settings) = Create(store, "ro");
        var live = await Run(store, name, settings);
        SqliteConnection.ClearAllPools();

        var copy = new ExperimentStore(Path.Combine(_dir.Root, "copy"));
        var dir = copy.DirectoryOf(name);
        Directory.CreateDirectory(dir);
        foreach (var f in new[] { ExperimentStore.ConfigFile, "journal.db" })
            File.Copy(Path.Combine(store.DirectoryOf(name), f), Path.Combine(dir, f));
        Assert.False(File.Exists(Path.Combine(dir, "journal.db-wal"))); // the run checkpointed its WAL when it closed

        const UnixFileMode readOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        var immutable = false;
        try
        {
            foreach (var f in Directory.GetFiles(dir)) File.SetUnixFileMode(f, readOnly);
            File.SetUnixFileMode(dir, readOnly | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            if (Writable(dir))
            {
                immutable = Chattr("+i", dir);
                output.WriteLine(immutable
                    ? "running as root: the directory is made immutable (chattr +i) so that it is really read-only"
                    : "running as root without chattr: the chmod'ed directory is still writable for this process");
            }
            var before = Golden.Hashes(dir);
            var entries = Directory.GetFileSystemEntries(dir).Order().ToList();

            var view = ExperimentJournal.Read(copy, name, settings);
            Deep.Equal(live.Plan, view.Status);
            ExperimentJournal.CheckFormat(copy, name);

            SqliteConnection.ClearAllPools();
            Assert.Equal(before, Golden.Hashes(dir));
            if (immutable || !Writable(dir)) Assert.Equal(entries, Directory.GetFileSystemEntries(dir).Order()); // no -wal/-shm could be made
        }
        finally
        {
            if (immutable) Chattr("-i", dir);
            File.SetUnixFileMode(dir, File.GetUnixFileMode(dir) | UnixFileMode.UserWrite);
            foreach (var f in Directory.GetFiles(dir)) File.SetUnixFileMode(f, File.GetUnixFileMode(f) | UnixFileMode.UserWrite);
        }
    }

    private static bool Writable(string dir)
    {
        var probe = Path.Combine(dir, ".probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool Chattr(string flag, string path)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true, RedirectStandardOutput = true });
            if (p is null) return false;
            p.WaitForExit(10_000);
            return p.HasExited && p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
