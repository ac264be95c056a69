using Npgsql;

namespace NasActors.Cli.Tests;

/// <summary>
/// A fresh PostgreSQL database on the server ./test.sh starts (connection string in NAS_TEST_POSTGRES, a role with
/// CREATEDB), dropped afterwards. Without the variable the test fails: it never silently skips.
/// </summary>
internal sealed class PostgresDatabase : IDisposable
{
    public const string Variable = "NAS_TEST_POSTGRES";

    private readonly string _admin;
    public string Name { get; }
    public string ConnectionString { get; }

    public PostgresDatabase()
    {
        _admin = Environment.GetEnvironmentVariable(Variable)
                 ?? throw new InvalidOperationException($"{Variable} is not set: run the tests with ./test.sh, which starts PostgreSQL on 127.0.0.1 and sets it");
        Name = $"nas_test_{Guid.NewGuid():N}";
        ConnectionString = new NpgsqlConnectionStringBuilder(_admin) { Database = Name }.ConnectionString;
        Execute(_admin, $"CREATE DATABASE \"{Name}\"");
    }

    /// <summary>(persistence id, manifest, JSON payload without its checksum line) of every journal event, in order.</summary>
    public List<(string Pid, string Manifest, string Payload)> Events()
    {
        var rows = new List<(string, string, string)>();
        using var c = new NpgsqlConnection(ConnectionString);
        c.Open();
        using var cmd = new NpgsqlCommand("SELECT persistence_id, manifest, message FROM journal ORDER BY ordering", c);
        using var r = cmd.ExecuteReader();
        while (r.Read()) rows.Add((r.GetString(0), r.GetString(1), JournalReader.StripChecksum(System.Text.Encoding.UTF8.GetString((byte[])r[2]))));
        return rows;
    }

    private static void Execute(string connectionString, string sql)
    {
        using var c = new NpgsqlConnection(connectionString);
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        try { Execute(_admin, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)"); }
        catch (NpgsqlException) { }
    }
}
