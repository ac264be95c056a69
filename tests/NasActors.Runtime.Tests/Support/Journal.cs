using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace NasActors.Runtime.Tests.Support;

/// <summary>One row of the Akka.Persistence.Sql journal, read straight from SQLite.</summary>
public sealed record JournalRow(string PersistenceId, long SequenceNr, string Manifest, int SerializerId, byte[] Payload)
{
    public JsonElement Json => JsonDocument.Parse(Payload).RootElement;
}

/// <summary>
/// Reads what Akka.Persistence.Sql (table-mapping = default) wrote: table <c>journal</c> (persistence_id,
/// sequence_number, manifest, identifier, message, deleted) and table <c>snapshot</c> (persistence_id,
/// sequence_number, manifest, serializer_id, snapshot).
/// </summary>
public sealed class Journal(string journalPath, string snapshotPath)
{
    private static SqliteConnection Open(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    public IReadOnlyList<JournalRow> Events(string persistenceId)
    {
        using var c = Open(journalPath);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT persistence_id, sequence_number, manifest, identifier, message FROM journal WHERE persistence_id = $p AND deleted = 0 ORDER BY sequence_number";
        cmd.Parameters.AddWithValue("$p", persistenceId);
        using var r = cmd.ExecuteReader();
        var rows = new List<JournalRow>();
        while (r.Read()) rows.Add(new JournalRow(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetInt32(3), (byte[])r[4]));
        return rows;
    }

    public int Count(string persistenceId, string manifest) => Events(persistenceId).Count(e => e.Manifest == manifest);

    public IReadOnlyList<(long SequenceNr, string Manifest, int SerializerId)> Snapshots(string persistenceId)
    {
        using var c = Open(snapshotPath);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT sequence_number, manifest, serializer_id FROM snapshot WHERE persistence_id = $p ORDER BY sequence_number";
        cmd.Parameters.AddWithValue("$p", persistenceId);
        using var r = cmd.ExecuteReader();
        var rows = new List<(long, string, int)>();
        while (r.Read()) rows.Add((r.GetInt64(0), r.GetString(1), r.GetInt32(2)));
        return rows;
    }

    /// <summary>Deletes journal rows up to <paramref name="toSequenceNr"/>, as a journal cleanup after a snapshot would.</summary>
    public int DeleteEventsUpTo(string persistenceId, long toSequenceNr)
    {
        using var c = Open(journalPath);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM journal WHERE persistence_id = $p AND sequence_number <= $s";
        cmd.Parameters.AddWithValue("$p", persistenceId);
        cmd.Parameters.AddWithValue("$s", toSequenceNr);
        return cmd.ExecuteNonQuery();
    }

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

    public int DeleteSnapshots(string persistenceId)
    {
        using var c = Open(snapshotPath);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM snapshot WHERE persistence_id = $p";
        cmd.Parameters.AddWithValue("$p", persistenceId);
        return cmd.ExecuteNonQuery();
    }
}
