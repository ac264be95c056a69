using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;
using RuntimeAkka = NasActors.Runtime.Hosting.AkkaConfig;
using Xunit.Abstractions;

namespace NasActors.Runtime.Tests.Support;

/// <summary>A fresh temporary directory holding a SQLite journal and snapshot store; deleted on dispose.</summary>
public sealed class TempStore : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "nas-runtime-tests", Guid.NewGuid().ToString("N"));
    public string JournalPath => Path.Combine(Root, "journal.db");
    public string SnapshotPath => Path.Combine(Root, "snapshots.db");

    public TempStore() => Directory.CreateDirectory(Root);

    /// <summary>Test timings (generous: test classes run in parallel) over the production Akka config pieces.</summary>
    private const string TestSettings = """
        akka.test.single-expect-default = 10s
        akka.test.default-timeout = 10s
        """;

    public Config AkkaConfig(string? extra = null) =>
        ConfigurationFactory.ParseString((extra ?? "") + "\n" + TestSettings)
            .WithFallback(RuntimeAkka.Quiet)
            .WithFallback(RuntimeAkka.Serialization)
            .WithFallback(RuntimeAkka.Sqlite(JournalPath, SnapshotPath));

    /// <summary>A second ActorSystem over the same files (for "the whole process died" scenarios).</summary>
    public ActorSystem NewSystem(string name)
    {
        var system = ActorSystem.Create(name, AkkaConfig());
        SqlPersistence.Get(system);
        return system;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>TestKit over a real SQLite journal and snapshot store in a fresh temporary directory.</summary>
public abstract class SqliteTestKit : Akka.TestKit.Xunit2.TestKit
{
    protected TempStore Store { get; }
    protected Journal Journal { get; }

    protected SqliteTestKit(ITestOutputHelper? output = null) : this(new TempStore(), null, output) { }

    /// <param name="extraConfig">HOCON over the test config (e.g. <c>akka.actor.provider = cluster</c>).</param>
    protected SqliteTestKit(string extraConfig, ITestOutputHelper? output = null) : this(new TempStore(), extraConfig, output) { }

    private SqliteTestKit(TempStore store, string? extraConfig, ITestOutputHelper? output) : base(store.AkkaConfig(extraConfig), "test", output)
    {
        Store = store;
        Journal = new Journal(store.JournalPath);
        SqlPersistence.Get(Sys); // without it the plugin's defaults are missing and recovery hangs
    }

    /// <summary>Stops <paramref name="actor"/> and waits until it is gone.</summary>
    protected void StopAndWait(IActorRef actor)
    {
        var probe = CreateTestProbe();
        probe.Watch(actor);
        Sys.Stop(actor);
        probe.ExpectTerminated(actor);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Store.Dispose();
    }
}
