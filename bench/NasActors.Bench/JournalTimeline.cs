using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace NasActors.Bench;

/// <summary>
/// An experiment's SQLite journal read back with plain SQL, read-only: each event's manifest, its payload and the moment
/// the journal wrote it (Akka.Persistence.Sql's <c>created</c> column, UTC ticks). Benchmarks time the coordinator's own
/// decisions with it, per event, instead of the throttled progress lines a client prints.
/// </summary>
internal sealed class JournalTimeline
{
    public sealed record Event(long Sequence, string Manifest, DateTime Created, byte[] Payload)
    {
        /// <summary>The event's JSON, after its checksum line (#nas-sha256 ...).</summary>
        public JsonElement Json => JsonDocument.Parse(Payload is [(byte)'#', ..] ? Payload.AsMemory(Array.IndexOf(Payload, (byte)'\n') + 1) : Payload).RootElement;
    }

    public IReadOnlyList<Event> Events { get; }

    private JournalTimeline(IReadOnlyList<Event> events) => Events = events;

    /// <summary>Events of experiment <paramref name="name"/> (persistence id nas2-experiment-NAME) in <paramref name="journalDb"/>.</summary>
    public static JournalTimeline Read(string journalDb, string name)
    {
        using var c = new SqliteConnection($"Data Source={journalDb};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT sequence_number, manifest, created, message FROM journal WHERE persistence_id = @p AND deleted = 0 ORDER BY sequence_number";
        cmd.Parameters.AddWithValue("@p", "nas2-experiment-" + name);
        var events = new List<Event>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) events.Add(new Event(r.GetInt64(0), r.GetString(1), new DateTime(r.GetInt64(2), DateTimeKind.Utc), (byte[])r[3]));
        return new JournalTimeline(events);
    }

    /// <summary>All rows of the journal table, whatever the experiment (a store-format-1 journal has three persistence ids per experiment).</summary>
    public static long CountRows(string journalDb)
    {
        using var c = new SqliteConnection($"Data Source={journalDb};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM journal";
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Rows of the snapshot store next to a journal (snapshots.db), 0 when there is none.</summary>
    public static long CountSnapshots(string snapshotDb)
    {
        if (!File.Exists(snapshotDb)) return 0;
        using var c = new SqliteConnection($"Data Source={snapshotDb};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'snapshot'";
        if (Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0) return 0;
        cmd.CommandText = "SELECT COUNT(*) FROM snapshot";
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public IEnumerable<Event> Of(string kind) => Events.Where(e => e.Manifest == $"nas.event.{kind}.v2");
}
