using Microsoft.Data.Sqlite;
using NasActors.Core;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Tests.Support;

namespace NasActors.Runtime.Tests.Hosting;

public sealed class AkkaConfigTests : IDisposable
{
    private readonly TempStore _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string JournalMode(string path)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";
        return (string)cmd.ExecuteScalar()!;
    }

    [Fact]
    public void AkkaConfig_must_keep_journal_and_snapshots_in_separate_WAL_files_with_one_writer()
    {
        var config = AkkaConfig.Sqlite(_dir.JournalPath, _dir.SnapshotPath);

        Assert.Equal("wal", JournalMode(_dir.JournalPath));
        Assert.Equal("wal", JournalMode(_dir.SnapshotPath));
        Assert.Equal("akka.persistence.journal.sql", config.GetString("akka.persistence.journal.plugin"));
        Assert.Equal("akka.persistence.snapshot-store.sql", config.GetString("akka.persistence.snapshot-store.plugin"));
        Assert.Contains(_dir.JournalPath, config.GetString("akka.persistence.journal.sql.connection-string"));
        Assert.Contains(_dir.SnapshotPath, config.GetString("akka.persistence.snapshot-store.sql.connection-string"));
        Assert.Equal("SQLite.MS", config.GetString("akka.persistence.journal.sql.provider-name"));
        Assert.Equal(1, config.GetInt("akka.persistence.journal.sql.parallelism"));
    }

    [Fact]
    public void AkkaConfig_must_quote_paths_with_spaces_and_quotes()
    {
        var dir = Path.Combine(_dir.Root, "my \"odd\" dir");
        Directory.CreateDirectory(dir);
        var journal = Path.Combine(dir, "journal.db");
        var config = AkkaConfig.Sqlite(journal, Path.Combine(dir, "snapshots.db"));
        var cs = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(config.GetString("akka.persistence.journal.sql.connection-string"));
        Assert.Equal(journal, cs.DataSource);
    }

    [Fact]
    public void AkkaConfig_must_refuse_a_store_file_that_is_not_sqlite_as_a_user_error()
    {
        File.WriteAllText(_dir.JournalPath, "this is not a database, just some text that is long enough to have a header");
        var e = Assert.Throws<NasUserException>(() => AkkaConfig.Sqlite(_dir.JournalPath, _dir.SnapshotPath));
        Assert.Contains(_dir.JournalPath, e.Message);
    }

    [Fact]
    public void AkkaConfig_must_bind_every_NasActors_message_to_the_NasSerializer()
    {
        var c = AkkaConfig.Serialization;
        Assert.Equal("NasActors.Runtime.Serialization.NasSerializer, NasActors.Runtime", c.GetString("akka.actor.serializers.nas"));
        Assert.Equal("nas", c.GetString("akka.actor.serialization-bindings.\"NasActors.Runtime.Serialization.INasSerializable, NasActors.Runtime\""));
        // The open kinds every plan brings: work, results and journal events, whatever the strategy.
        foreach (var kind in new[] { "WorkItem", "WorkResult", "PlanEvent" })
            Assert.Equal("nas", c.GetString($"akka.actor.serialization-bindings.\"NasActors.Core.Engine.{kind}, NasActors.Core\""));
    }

    [Fact]
    public void AkkaConfig_must_refuse_by_default_what_has_no_manifest_on_systems_that_talk_to_other_nodes()
    {
        var c = AkkaConfig.RemoteSerialization;
        Assert.Equal("nas-refuse", c.GetString("akka.actor.serialization-bindings.\"System.Object\""));
        Assert.Equal("nas", c.GetString("akka.actor.serialization-bindings.\"NasActors.Core.Engine.WorkItem, NasActors.Core\""));
    }
}
