using Microsoft.Data.Sqlite;

namespace NasActors.Cli.Tests;

/// <summary>Reads an experiment's SQLite journal directly, to check what was persisted (not what the CLI says).</summary>
internal static class JournalReader
{
    /// <summary>(persistence id, manifest, JSON payload without its checksum line) of every event, in order.</summary>
    public static List<(string Pid, string Manifest, string Payload)> Events(string journalDb)
    {
        var rows = new List<(string, string, string)>();
        using var c = new SqliteConnection($"Data Source={journalDb};Mode=ReadOnly");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT persistence_id, manifest, message FROM journal ORDER BY ordering";
        using var r = cmd.ExecuteReader();
        while (r.Read()) rows.Add((r.GetString(0), r.GetString(1), StripChecksum(System.Text.Encoding.UTF8.GetString((byte[])r[2]))));
        SqliteConnection.ClearAllPools();
        return rows;
    }

    /// <summary>A journal event's JSON: its payload less the checksum line (#nas-sha256 ...) it begins with.</summary>
    public static string StripChecksum(string payload) =>
        payload.StartsWith('#') ? payload[(payload.IndexOf('\n') + 1)..] : payload;
}
