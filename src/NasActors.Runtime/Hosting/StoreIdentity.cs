using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NasActors.Core;
using NasActors.Core.IO;
using NasActors.Runtime.Experiment;

namespace NasActors.Runtime.Hosting;

/// <summary>
/// STORE/NAME/identity.json: the experiment's name, persistence id, the fingerprint of its journal's first event and
/// the last sequence number known to be journaled. Written atomically (temp file, fsync, rename, directory fsync) when
/// the experiment is created and as it progresses. It may lag the journal (a kill between a write and the update) but
/// never leads it, so only a journal behind it has lost events. <see cref="Verify"/> refuses a journal that is missing,
/// empty, rolled back or another experiment's, and a directory that was renamed. A store without the file (written
/// before it existed) is accepted as it is, and gets one on its next resume.
/// </summary>
public sealed record StoreIdentity(string Experiment, string PersistenceId, string? FirstEvent, long LastSequence)
{
    public const string FileName = "identity.json";
    private const string FormatTag = "nasactors-identity/1";

    public static string PathOf(ExperimentStore store, string name) => Path.Combine(store.DirectoryOf(name), FileName);

    /// <summary>The identity of a new experiment, whose journal has no events yet.</summary>
    public static StoreIdentity New(string name) => new(name, ExperimentProtocol.PersistenceId(name), null, 0);

    public string ToJson()
    {
        var o = new JsonObject
        {
            ["format"] = FormatTag,
            ["experiment"] = Experiment,
            ["persistence_id"] = PersistenceId,
            ["first_event"] = FirstEvent,
            ["last_sequence"] = LastSequence,
        };
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Writes the file atomically into <paramref name="directory"/>; a full disk is one line, and leaves no temp file.</summary>
    public void WriteTo(string directory)
    {
        var path = Path.Combine(directory, FileName);
        var temp = Path.Combine(directory, "." + FileName + ".tmp");
        try
        {
            using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                f.Write(Encoding.UTF8.GetBytes(ToJson()));
                f.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            Durable.SyncDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (IOException) { }
            if (DiskSpace.IsFull(e)) throw DiskSpace.Full(directory, e);
            if (e is UnauthorizedAccessException) throw new NasUserException($"permission denied on {directory}: cannot write {FileName}; make the experiment directory writable for this user (or run as its owner)", e);
            throw new NasUserException($"cannot write {path} ({e.Message.TrimEnd('.')}); check the store's file system", e);
        }
    }

    /// <summary>The identity file of an experiment, null if it has none; a damaged one is refused in one line.</summary>
    public static StoreIdentity? Read(ExperimentStore store, string name)
    {
        var path = PathOf(store, name);
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        catch (UnauthorizedAccessException) { throw new NasUserException($"permission denied on {path}; make it readable for this user (or run as its owner)"); }
        catch (IOException e) { throw new NasUserException($"cannot read {path} ({e.Message.TrimEnd('.')})"); }
        var fix = $"restore it from a backup of this experiment, or delete it to accept the journal as it is (resume writes a new one)";
        try
        {
            var o = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not an object");
            if (o["format"]?.GetValue<string>() != FormatTag) throw new JsonException($"format is not {FormatTag}");
            var experiment = o["experiment"]?.GetValue<string>() ?? throw new JsonException("no experiment");
            var pid = o["persistence_id"]?.GetValue<string>() ?? throw new JsonException("no persistence_id");
            var first = o["first_event"]?.GetValue<string>();
            var last = o["last_sequence"]?.GetValue<long>() ?? throw new JsonException("no last_sequence");
            if (last < 0 || (last > 0) != (first is not null) || pid != ExperimentProtocol.PersistenceId(experiment)
                || (first is not null && (first.Length != 32 || !first.All(char.IsAsciiHexDigitLower))))
                throw new JsonException("its fields do not agree");
            return new StoreIdentity(experiment, pid, first, last);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new NasUserException($"{path} is damaged ({e.Message.TrimEnd('.')}): {fix}");
        }
    }

    /// <summary>
    /// Refuses, in one line, an experiment whose journal is not the one its identity file describes, or whose directory
    /// was renamed. Writes nothing. Cluster experiments (journal in the cluster's database) have no identity file.
    /// </summary>
    public static void Verify(ExperimentStore store, string name)
    {
        if (store.IsClusterExperiment(name)) return;
        var identity = Read(store, name);
        var dir = store.DirectoryOf(name);
        if (identity is not null && identity.Experiment != name) throw Renamed(store, identity.Experiment, name);
        var facts = ExperimentJournal.Facts(store, name);
        if (facts.LastSequence == 0 && facts.OtherExperiments.Count > 0)
        {
            // The journal holds another experiment's events and none of this one's: a renamed directory (or a journal
            // copied from elsewhere).
            if (identity is null || identity.LastSequence == 0) throw Renamed(store, facts.OtherExperiments[0], name);
            throw new NasUserException($"the journal of experiment '{name}' ({store.JournalPath(name)}) holds experiment '{facts.OtherExperiments[0]}' instead of this one's {identity.LastSequence} events: " +
                                       $"put back this experiment's journal.db, or restore the whole directory {dir} from one backup");
        }
        if (identity is null || identity.LastSequence == 0) return; // no identity yet, or nothing journaled as far as it knows
        var restore = $"restore journal.db (with its journal.db-wal, if the backup has one) from a backup of this experiment, or the whole directory {dir} from one backup";
        if (!facts.Exists)
            throw new NasUserException($"experiment '{name}' has lost its journal: {store.JournalPath(name)} is missing, but {FileName} records {identity.LastSequence} journaled events; {restore}");
        if (facts.LastSequence == 0)
            throw new NasUserException($"the journal of experiment '{name}' ({store.JournalPath(name)}) is empty, but {FileName} records {identity.LastSequence} journaled events (the file was truncated or replaced, or lost its journal.db-wal); {restore}");
        if (facts.FirstEvent != identity.FirstEvent)
            throw new NasUserException($"the journal of experiment '{name}' ({store.JournalPath(name)}) is not this experiment's: its first event is not the one {FileName} records (another experiment's journal, one of another run under the same name, or a damaged first event); " +
                                       $"put back this experiment's journal.db, or restore the whole directory {dir} from one backup");
        if (facts.LastSequence < identity.LastSequence)
            throw new NasUserException($"the journal of experiment '{name}' ends at event {facts.LastSequence}, but the experiment had reached event {identity.LastSequence} ({FileName}): " +
                                       $"journal.db was rolled back to an older copy or lost its journal.db-wal; {restore}; to continue from the older journal on purpose, delete {PathOf(store, name)}");
    }

    private static NasUserException Renamed(ExperimentStore store, string from, string to)
    {
        var why = $"its journal belongs to experiment '{from}', and the name is part of the journal's identity";
        if (Directory.Exists(store.DirectoryOf(from)))
            return new NasUserException($"experiment directory {store.DirectoryOf(to)} is a copy of experiment '{from}' ({why}): use {store.DirectoryOf(from)} (`nas resume|status|export {from}`), remove the copy, or start a new experiment under the name '{to}'");
        return new NasUserException($"experiment directory {store.DirectoryOf(to)} was renamed from '{from}' to '{to}' ({why}): rename it back (mv {store.DirectoryOf(to)} {store.DirectoryOf(from)}) and use `nas resume|status|export {from}`");
    }
}
