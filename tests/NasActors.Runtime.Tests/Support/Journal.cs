using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace NasActors.Runtime.Tests.Support;

/// <summary>One row of the Akka.Persistence.Sql journal, read straight from SQLite.</summary>
public sealed record JournalRow(string PersistenceId, long SequenceNr, string Manifest, int SerializerId, byte[] Payload)
{
    /// <summary>The event's JSON, after its checksum line (#nas-sha256 ...).</summary>
    public JsonElement Json => JsonDocument.Parse(StripChecksum(Payload)).RootElement;

    public static ReadOnlyMemory<byte> StripChecksum(byte[] payload) =>
        payload is [(byte)'#', ..] ? payload.AsMemory(Array.IndexOf(payload, (byte)'\n') + 1) : payload;
}

/// <summary>
/// Reads what Akka.Persistence.Sql (table-mapping = default) wrote: table <c>journal</c> (persistence_id,
/// sequence_number, manifest, identifier, message, deleted).
/// </summary>
public sealed class Journal(string journalPath)
{
    private static SqliteConnection Open(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    /// <summary>The events of <paramref name="persistenceId"/>, in order; none while the journal (file or table) does not exist yet.</summary>
    public IReadOnlyList<JournalRow> Events(string persistenceId)
    {
        if (!File.Exists(journalPath)) return [];
        using var c = Open(journalPath);
        if (!HasJournalTable(c)) return [];
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT persistence_id, sequence_number, manifest, identifier, message FROM journal WHERE persistence_id = $p AND deleted = 0 ORDER BY sequence_number";
        cmd.Parameters.AddWithValue("$p", persistenceId);
        using var r = cmd.ExecuteReader();
        var rows = new List<JournalRow>();
        while (r.Read()) rows.Add(new JournalRow(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetInt32(3), (byte[])r[4]));
        return rows;
    }

    private static bool HasJournalTable(SqliteConnection c)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'journal'";
        return (long)cmd.ExecuteScalar()! > 0;
    }

    public int Count(string persistenceId, string manifest) => Events(persistenceId).Count(e => e.Manifest == manifest);

    /// <summary>Rewrites the manifest of one event, as a journal written by another version would look.</summary>
    public void SetManifest(string persistenceId, long sequenceNr, string manifest)
    {
        using var c = Open(journalPath);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE journal SET manifest = $m WHERE persistence_id = $p AND sequence_number = $s";
        cmd.Parameters.AddWithValue("$m", manifest);
        cmd.Parameters.AddWithValue("$p", persistenceId);
        cmd.Parameters.AddWithValue("$s", sequenceNr);
        if (cmd.ExecuteNonQuery() != 1) throw new InvalidOperationException($"no event {persistenceId}/{sequenceNr}");
    }
}
