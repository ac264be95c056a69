using Akka.Configuration;
using NasActors.Core;
using NasActors.Runtime.Hosting;

namespace NasActors.Runtime.Cluster;

/// <summary>Where a cluster keeps its journal: SQLite files under STORE/.cluster, or PostgreSQL.</summary>
public static class ClusterJournal
{
    /// <summary>Overrides nas.cluster.postgres.connection-string, so passwords stay out of files.</summary>
    public const string PostgresVariable = "NAS_POSTGRES";

    public static Config Config(string kind, ExperimentStore store, string? configured, string source) => kind switch
    {
        "sqlite" => Sqlite(store),
        "postgres" => AkkaConfig.Postgres(ConnectionString(configured)),
        _ => throw new NasUserException($"{source}: journal = '{kind}' is not a journal; use sqlite or postgres"),
    };

    private static Config Sqlite(ExperimentStore store)
    {
        Directory.CreateDirectory(store.ClusterDirectory);
        return AkkaConfig.Sqlite(Path.Combine(store.ClusterDirectory, "journal.db"), Path.Combine(store.ClusterDirectory, "snapshots.db"));
    }

    /// <summary>
    /// Connects once, so a wrong password or an unreachable server is one clear line at start-up instead of a
    /// coordinator whose recovery times out later.
    /// </summary>
    public static void CheckPostgres(string? configured)
    {
        var cs = ConnectionString(configured);
        try
        {
            var b = new Npgsql.NpgsqlConnectionStringBuilder(cs) { Timeout = 10 };
            using var c = new Npgsql.NpgsqlConnection(b.ConnectionString);
            c.Open();
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or ArgumentException or InvalidOperationException)
        {
            throw new NasUserException($"cannot use the PostgreSQL journal ({e.GetBaseException().Message.TrimEnd('.')}); check {PostgresVariable} (host, port, user, password, database) and that the server accepts connections");
        }
    }

    public static string ConnectionString(string? configured)
    {
        var fromEnv = Environment.GetEnvironmentVariable(PostgresVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv)) return fromEnv;
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        throw new NasUserException($"the journal is PostgreSQL but no connection string is set; export {PostgresVariable}=\"Host=...;Username=...;Password=...;Database=...\" (or set nas.cluster.postgres.connection-string)");
    }
}
