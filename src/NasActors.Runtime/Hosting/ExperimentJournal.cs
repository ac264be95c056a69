using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Serialization;

namespace NasActors.Runtime.Hosting;

/// <summary>
/// Reads an experiment's journal with plain SQL (no ActorSystem, no persistence plugin, no network built), read-only,
/// and folds it through the strategy's plan: what `nas status` and `nas export` show. It never writes: a missing journal
/// is reported, not created, and a store copied to read-only media can be read.
/// </summary>
public static class ExperimentJournal
{
    /// <summary>The experiment as journaled: how it started and where its plan stands (its status, and the plan's own state for derive).</summary>
    public sealed record View(ExperimentProtocol.Started Started, PlanStatus Status, int Events, IPlan Plan, object State);

    /// <summary>Reads and folds the journal of <paramref name="name"/>; throws <see cref="NasUserException"/> when it cannot.</summary>
    public static View Read(ExperimentStore store, string name, NasSettings settings) => Read(store, name, settings, null);

    /// <summary>One journaled plan event and the plan's status right after it.</summary>
    public sealed record Step(long Sequence, PlanEvent Event, PlanStatus Status);

    /// <summary>
    /// Like <see cref="Read"/>, and the plan's status after every event: what the report plots and lineage traces.
    /// </summary>
    public static (View View, IReadOnlyList<Step> Steps) History(ExperimentStore store, string name, NasSettings settings)
    {
        var steps = new List<Step>();
        var view = Read(store, name, settings, steps);
        return (view, steps);
    }

    /// <summary>
    /// The journaled entries after sequence number <paramref name="after"/>, in order, each checked like <see cref="Read"/>
    /// checks it (checksum, numbering): what an observer that follows a running experiment reads, without touching it.
    /// Entry 1 is the <see cref="ExperimentProtocol.Started"/> event, the rest plan events. Empty while there are none.
    /// </summary>
    public static IReadOnlyList<(long Sequence, object Entry)> After(ExperimentStore store, string name, long after)
    {
        var (kind, path) = store.JournalLocation(name);
        if (kind == "sqlite" && !File.Exists(path)) return [];
        using var connection = Open(store, name, allowNoTable: true);
        if (connection is null) return [];
        var rows = Query(name, () => Rows(connection, name, after));
        return [.. rows.Select(r => (r.Sequence, Deserialize(r, name)))];
    }

    private static View Read(ExperimentStore store, string name, NasSettings settings, List<Step>? steps)
    {
        StoreIdentity.Verify(store, name);
        var rows = Rows(store, name);
        if (rows.Count == 0)
            throw new NasUserException(store.IsClusterExperiment(name)
                ? $"experiment '{name}' has no journal events yet: its cluster has not started it"
                : $"experiment '{name}' has no journal events yet (it was created but never started); run `nas resume {name} --store {store.Root}` to start it");
        var started = Deserialize(rows[0], name) as ExperimentProtocol.Started
            ?? throw new NasUserException($"the journal of experiment '{name}' does not begin with its start event; it is damaged: restore the store from a backup");
        if (started.Strategy != settings.StrategyName || started.SettingsHash != settings.ResultHash)
            throw new NasUserException($"the journal of experiment '{name}' was written with other settings than its config.conf now gives (strategy {started.Strategy}, fingerprint {Core.Experiments.Hashes.Short(started.SettingsHash)}; now {settings.StrategyName}, {Core.Experiments.Hashes.Short(settings.ResultHash)}): restore the experiment's config.conf");
        var space = started.ToSpace();
        if (space.Hash != started.SpaceHash)
            throw new NasUserException($"the journal of experiment '{name}' names search space {started.SpaceHash} but its choices hash to {space.Hash}; it is damaged: restore the store from a backup");
        var plan = settings.CreatePlan(space, costs: null, readOnly: true);
        var state = plan.Initial;
        foreach (var row in rows.Skip(1))
        {
            var e = Deserialize(row, name) as PlanEvent
                ?? throw new NasUserException($"the journal of experiment '{name}' holds a {row.Manifest} where a plan event belongs; it is damaged: restore the store from a backup");
            try
            {
                state = plan.Apply(state, e);
                steps?.Add(new Step(row.Sequence, e, plan.Status(state)));
            }
            catch (Exception x) when (x is InvalidOperationException or ArgumentException or KeyNotFoundException)
            {
                throw new NasUserException($"event {row.Sequence} ({row.Manifest}) of experiment '{name}' does not follow from the ones before it ({x.Message}); the journal is damaged: restore the store from a backup");
            }
        }
        return new View(started, plan.Status(state), rows.Count, plan, state);
    }

    private sealed record Row(long Sequence, string Manifest, byte[] Payload, string Writer, long Ordering);

    private static object Deserialize(Row row, string name)
    {
        if (!NasManifests.All.TryGetValue(row.Manifest, out var type))
            throw new NasUserException($"the journal of experiment '{name}' holds event {row.Sequence} of kind '{row.Manifest}', which this version does not know (written by a newer version, or by a plugin that is not loaded)");
        if (!NasManifests.Persisted.ContainsKey(row.Manifest))
            throw new NasUserException($"event {row.Sequence} of experiment '{name}' (persistence id {ExperimentProtocol.PersistenceId(name)}) is a {row.Manifest}, a message, not a journal event; the journal is damaged: restore the store from a backup");
        var json = JournalChecksum.Open(row.Manifest, row.Payload, out var error);
        if (error is not null)
            throw new NasUserException($"event {row.Sequence} of experiment '{name}' (persistence id {ExperimentProtocol.PersistenceId(name)}) cannot be trusted: {error}; the journal is damaged: restore the store from a backup");
        try
        {
            return JsonSerializer.Deserialize(json.Span, type, NasJson.Options)
                   ?? throw new JsonException("empty payload");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException or NasUserException)
        {
            throw new NasUserException($"event {row.Sequence} ({row.Manifest}) of experiment '{name}' cannot be read ({e.Message}); the journal is damaged: restore the store from a backup");
        }
    }

    /// <summary>
    /// Refuses an experiment of store format 1 (before the one-engine change) with one line saying what to do, before
    /// anything reads its config or starts on its journal. An experiment without a journal yet passes.
    /// </summary>
    public static void CheckFormat(ExperimentStore store, string name)
    {
        var (kind, path) = store.JournalLocation(name);
        if (kind == "sqlite" && !File.Exists(path)) return;
        using var connection = Open(store, name, allowNoTable: true);
        if (connection is null) return; // the journal's tables are not created yet: nothing of any format
        Query(name, () => CheckFormat(connection, name));
    }

    /// <summary>Database errors while reading (a page corrupt, a table missing on PostgreSQL) as one line.</summary>
    private static T Query<T>(string name, Func<T> read)
    {
        try { return read(); }
        catch (DbException e)
        {
            throw new NasUserException($"the journal of experiment '{name}' cannot be read ({e.Message.TrimEnd('.')}); it is damaged or not a NasActors journal: restore the store from a backup");
        }
    }

    private static void Query(string name, Action read) => Query(name, () => { read(); return 0; });

    private static void CheckFormat(DbConnection connection, string name)
    {
        // Store format 1 kept three journals per experiment under other ids.
        using (var old = connection.CreateCommand())
        {
            old.CommandText = "SELECT COUNT(*) FROM journal WHERE persistence_id IN (@e, @p, @c)";
            Parameter(old, "@e", "experiment-" + name);
            Parameter(old, "@p", "population-" + name);
            Parameter(old, "@c", "controller-" + name);
            if (Convert.ToInt64(old.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0)
                throw FormatOne(name);
        }
    }

    private static List<Row> Rows(ExperimentStore store, string name)
    {
        // Created, never started (its identity file says nothing was journaled): no journal yet is no history lost.
        if (!store.IsClusterExperiment(name) && !File.Exists(store.JournalPath(name)) && StoreIdentity.Read(store, name) is { LastSequence: 0 }) return [];
        using var connection = Open(store, name, allowNoTable: true);
        if (connection is null) return []; // created, never started
        return Query(name, () => Rows(connection, name));
    }

    private static List<Row> Rows(DbConnection connection, string name, long after = 0)
    {
        CheckFormat(connection, name);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT sequence_number, manifest, message, writer_uuid, ordering FROM journal WHERE persistence_id = @p AND deleted = @d AND sequence_number > @a ORDER BY sequence_number, ordering";
        var pid = ExperimentProtocol.PersistenceId(name);
        Parameter(cmd, "@p", pid);
        Parameter(cmd, "@d", false);
        Parameter(cmd, "@a", after);
        var rows = new List<Row>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) rows.Add(new Row(r.GetInt64(0), r.GetString(1), (byte[])r[2], r.IsDBNull(3) ? "" : r.GetString(3), r.GetInt64(4)));
        CheckSequence(rows, name, pid, after);
        return rows;
    }

    /// <summary>
    /// The events must be numbered 1..N, each once, in the order they were written, and a writer (one run of the experiment) once replaced by another
    /// never writes again: what the journal's replay filter (mode fail, see <see cref="AkkaConfig"/>) refuses on resume,
    /// so status and export never show what resume would not replay.
    /// </summary>
    private static void CheckSequence(List<Row> rows, string name, string pid, long after = 0)
    {
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        string? writer = null;
        for (var i = 0; i < rows.Count; i++)
        {
            var (seq, expected) = (rows[i].Sequence, after + i + 1L);
            if (seq != expected)
                throw new NasUserException(seq < expected
                    ? $"event {seq} of experiment '{name}' (persistence id {pid}) appears twice in its journal; the journal is damaged: restore the store from a backup"
                    : $"event {expected} of experiment '{name}' (persistence id {pid}) is missing from its journal (the next is {seq}); the journal is damaged: restore the store from a backup");
            // The journal numbers its rows (ordering) as it writes them: an event numbered after another was written after it.
            if (i > 0 && rows[i].Ordering <= rows[i - 1].Ordering)
                throw new NasUserException($"event {seq} of experiment '{name}' (persistence id {pid}) was written before event {seq - 1}; the journal's order is damaged: restore the store from a backup");
            var w = rows[i].Writer;
            if (w == writer) continue;
            if (replaced.Contains(w))
                throw new NasUserException($"event {seq} of experiment '{name}' (persistence id {pid}) comes from writer {w}, which event {seq - 1}'s writer {writer} had replaced; the journal is damaged: restore the store from a backup");
            if (writer is not null) replaced.Add(writer);
            writer = w;
        }
    }

    /// <summary>
    /// The identity facts of an experiment's own SQLite journal (<see cref="StoreIdentity.Verify"/>): read-only, and a
    /// missing file is reported as missing, never created.
    /// </summary>
    internal static JournalFacts Facts(ExperimentStore store, string name)
    {
        var path = store.JournalPath(name);
        if (!File.Exists(path)) return new JournalFacts(false, null, 0, []);
        using var connection = Open(store, name, allowNoTable: true);
        if (connection is null) return new JournalFacts(true, null, 0, []);
        return Query(name, () =>
        {
            var pid = ExperimentProtocol.PersistenceId(name);
            string? first = null;
            using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = "SELECT writer_uuid, message FROM journal WHERE persistence_id = @p AND sequence_number = 1 ORDER BY ordering LIMIT 1";
                Parameter(cmd, "@p", pid);
                using var r = cmd.ExecuteReader();
                if (r.Read()) first = Fingerprint(pid, r.IsDBNull(0) ? "" : r.GetString(0), (byte[])r[1]);
            }
            long last;
            using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = "SELECT COALESCE(MAX(sequence_number), 0) FROM journal WHERE persistence_id = @p";
                Parameter(cmd, "@p", pid);
                last = Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            }
            var others = new List<string>();
            using (var cmd = connection.CreateCommand())
            {
                const string prefix = "nas2-experiment-";
                cmd.CommandText = "SELECT DISTINCT persistence_id FROM journal WHERE persistence_id LIKE @l AND persistence_id <> @p ORDER BY persistence_id LIMIT 5";
                Parameter(cmd, "@l", prefix + "%");
                Parameter(cmd, "@p", pid);
                using var r = cmd.ExecuteReader();
                while (r.Read()) others.Add(r.GetString(0)[prefix.Length..]);
            }
            return new JournalFacts(true, first, last, others);
        });
    }

    /// <summary>
    /// Names one journal: its first event with the id of the writer (one run of the experiment) that wrote it, so two
    /// runs under the same name and config differ. (Not the manifest: damage there is named by the replay.)
    /// </summary>
    internal static string Fingerprint(string persistenceId, string writer, byte[] payload)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{persistenceId}\n{writer}\n"));
        sha.AppendData(payload);
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..32];
    }

    /// <summary>The line for a store written before the one-engine change.</summary>
    public static NasUserException FormatOne(string name) => new(
        $"experiment '{name}' is in store format 1 (written before NasActors' one-engine change); this version reads format {ExperimentProtocol.Format}. " +
        $"Resume, status or export it with the earlier version (git checkout e2e8dbd && ./nas resume {name}), or start a new experiment");

    private static void Parameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    /// <summary>An open connection; null when <paramref name="allowNoTable"/> and the database has no journal table yet.</summary>
    private static DbConnection? Open(ExperimentStore store, string name, bool allowNoTable)
    {
        var (kind, path) = store.JournalLocation(name);
        if (kind == "postgres")
        {
            var c = new Npgsql.NpgsqlConnection(Cluster.ClusterJournal.ConnectionString(store.PostgresConnectionString));
            try { c.Open(); }
            catch (Exception e) when (e is Npgsql.NpgsqlException or ArgumentException or InvalidOperationException)
            {
                c.Dispose();
                throw new NasUserException($"cannot read the PostgreSQL journal of experiment '{name}' ({e.GetBaseException().Message.TrimEnd('.')}); check {Cluster.ClusterJournal.PostgresVariable}");
            }
            return c;
        }
        if (!File.Exists(path))
            throw new NasUserException($"experiment '{name}' has no journal ({path} is missing): its history is lost or the store was copied incompletely; restore the store from a backup or start a new experiment");
        // Without a -wal file no process is writing: read it as immutable, which creates no -wal/-shm beside it (and
        // works on read-only media). With one, a writer may be running: plain read-only mode sees its latest commits.
        var immutable = $"Data Source={new Uri(Path.GetFullPath(path)).AbsoluteUri}?immutable=1;Mode=ReadOnly;Pooling=False";
        var shared = $"Data Source={path};Mode=ReadOnly;Pooling=False";
        foreach (var cs in File.Exists(path + "-wal") ? new[] { shared, immutable } : [immutable, shared])
        {
            var c = new SqliteConnection(cs);
            try
            {
                c.Open();
                using var probe = c.CreateCommand();
                probe.CommandText = "SELECT COUNT(*) FROM journal WHERE 0";
                probe.ExecuteScalar();
                return c;
            }
            catch (SqliteException e)
            {
                c.Dispose();
                Debug.WriteLine(e.Message);
                if (e.SqliteErrorCode is 1) // no such table: created, but killed before the plugin made its tables (or not a journal)
                {
                    if (allowNoTable) return null;
                    throw new NasUserException($"{path} holds no journal table; it is not an experiment journal: restore the store from a backup");
                }
                if (e.SqliteErrorCode is 11 or 26) // corrupt, not a database
                    throw new NasUserException($"{path} is not a readable SQLite database ({e.Message.TrimEnd('.')}); restore the experiment store from a backup or start a new experiment");
            }
        }
        throw new NasUserException($"cannot open {path} read-only; check its permissions");
    }
}
