using Akka.Configuration;
using Microsoft.Data.Sqlite;

namespace NasActors.Runtime.Hosting;

/// <summary>The Akka side of an experiment process: our serializer, and the SQLite journal and snapshot store.</summary>
public static class AkkaConfig
{
    public static Config Serialization => ConfigurationFactory.ParseString("""
        akka.actor {
          serializers { nas = "NasActors.Runtime.Serialization.NasSerializer, NasActors.Runtime" }
          serialization-bindings {
            "NasActors.Runtime.Serialization.INasSerializable, NasActors.Runtime" = nas
            # The plan's open kinds: every strategy's work, results and events, by manifest.
            "NasActors.Core.Engine.WorkItem, NasActors.Core" = nas
            "NasActors.Core.Engine.WorkResult, NasActors.Core" = nas
            "NasActors.Core.Engine.PlanEvent, NasActors.Core" = nas
          }
        }
        """);

    /// <summary>
    /// For systems that talk to other nodes (the cluster work uses it; local runs do not): <see cref="Serialization"/>,
    /// and <c>System.Object</c> bound to <see cref="NasActors.Runtime.Serialization.RefusingSerializer"/> instead of
    /// Akka's type-name JSON, so a message type with no NasActors manifest fails loudly on the sending node instead
    /// of being serialized by type name. Akka's own messages keep their more specific bindings.
    /// </summary>
    public static Config RemoteSerialization => ConfigurationFactory.ParseString("""
        akka.actor {
          serializers { nas-refuse = "NasActors.Runtime.Serialization.RefusingSerializer, NasActors.Runtime" }
          serialization-bindings { "System.Object" = nas-refuse }
        }
        """).WithFallback(Serialization);

    /// <summary>Akka's log lines on stderr (<see cref="StderrLogger"/>): a process whose stdout is progress and a result.</summary>
    public static Config StderrLogging => ConfigurationFactory.ParseString("""
        akka {
          # Before the logger starts and after it stops, Akka writes to stdout itself: only errors then.
          stdout-loglevel = ERROR
          loggers = ["NasActors.Runtime.Hosting.StderrLogger, NasActors.Runtime"]
        }
        """);

    public static Config Quiet => ConfigurationFactory.ParseString("""
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          log-config-on-start = off
          coordinated-shutdown.run-by-clr-shutdown-hook = off
        }
        """);

    /// <summary>SQLite journal and snapshots in separate files (one file for both can lock under load), WAL mode, one writer.</summary>
    public static Config Sqlite(string journalPath, string snapshotPath)
    {
        EnableWal(journalPath);
        EnableWal(snapshotPath);
        return Persistence("SQLite.MS", ConnectionString(journalPath), ConnectionString(snapshotPath), "parallelism = 1");
    }

    /// <summary>Journal and snapshots in PostgreSQL 15 (tables created on first use).</summary>
    public static Config Postgres(string connectionString)
    {
        try { _ = new Npgsql.NpgsqlConnectionStringBuilder(connectionString); }
        catch (ArgumentException e)
        {
            throw new Core.NasUserException($"the PostgreSQL connection string is malformed ({e.Message}); write it as Host=...;Username=...;Password=...;Database=...");
        }
        // An unreachable server fails recovery after 10 s, not the default 30 s.
        return Persistence("PostgreSQL.15", connectionString, connectionString, "recovery-event-timeout = 10s");
    }

    /// <summary>
    /// Akka.Persistence.Sql journal and snapshot store on <paramref name="provider"/>; <paramref name="journalExtra"/> is
    /// added to the journal's section. The replay filter fails recovery on events that are out of order or come from a
    /// writer another one had replaced (Akka's default, repair-by-discard-old, drops them with a warning, and the
    /// experiment would go on with fewer events).
    /// </summary>
    private static Config Persistence(string provider, string journal, string snapshots, string journalExtra) => ConfigurationFactory.ParseString($$"""
        akka.persistence {
          journal {
            plugin = "akka.persistence.journal.sql"
            sql {
              connection-string = "{{Escape(journal)}}"
              provider-name = "{{provider}}"
              auto-initialize = on
              replay-filter { mode = fail }
              {{journalExtra}}
            }
          }
          snapshot-store {
            plugin = "akka.persistence.snapshot-store.sql"
            sql {
              connection-string = "{{Escape(snapshots)}}"
              provider-name = "{{provider}}"
              auto-initialize = on
            }
          }
        }
        """);

    private static string ConnectionString(string path) => new SqliteConnectionStringBuilder { DataSource = path }.ToString();

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");

    /// <summary>WAL is a property of the file: set it once before the plugin opens it.</summary>
    private static void EnableWal(string path)
    {
        var existed = File.Exists(path);
        try
        {
            using var c = new SqliteConnection(ConnectionString(path));
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode=WAL;";
            cmd.ExecuteScalar();
        }
        catch (SqliteException e)
        {
            SqliteConnection.ClearAllPools();
            // Nothing half-made: a file this call created and could not initialise goes again.
            if (!existed && File.Exists(path) && new FileInfo(path).Length == 0) File.Delete(path);
            var dir = Path.GetDirectoryName(path) ?? path;
            throw e.SqliteErrorCode switch
            {
                13 => Core.IO.DiskSpace.Full(dir, e), // SQLITE_FULL
                8 or 14 when StoreAccess.CannotWrite(dir, $"write {Path.GetFileName(path)}") is { } why => why, // READONLY, CANTOPEN (its -wal/-shm)
                _ => new Core.NasUserException($"{path} is not a readable SQLite database ({e.Message.TrimEnd('.')}); restore the experiment store from a backup or start a new experiment"),
            };
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }
}
