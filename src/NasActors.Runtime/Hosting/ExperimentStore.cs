using System.Text.RegularExpressions;
using NasActors.Core;

namespace NasActors.Runtime.Hosting;

/// <summary>
/// A directory of experiments: STORE/NAME/{config.conf, journal.db, snapshots.db, checkpoints/}. An experiment
/// directory appears whole (built under a temporary name, then renamed) or not at all.
/// </summary>
public sealed partial class ExperimentStore(string root)
{
    public string Root { get; } = FullPath(root);

    private static string FullPath(string root)
    {
        if (string.IsNullOrWhiteSpace(root)) throw new NasUserException("--store is empty; give a directory, e.g. --store ./experiments");
        try { return Path.GetFullPath(root); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new NasUserException($"--store '{root}' is not a usable path ({e.Message})");
        }
    }

    public const string ConfigFile = "config.conf";

    /// <summary>
    /// The PostgreSQL connection string a controller node was configured with, for reading the cluster's journal in
    /// that process (its TensorBoard observer); $NAS_POSTGRES still wins. Null elsewhere: readers use $NAS_POSTGRES.
    /// </summary>
    public string? PostgresConnectionString { get; init; }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    public static void CheckName(string name)
    {
        if (!NamePattern().IsMatch(name))
            throw new NasUserException($"experiment name '{name}' is invalid; use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }

    public string DirectoryOf(string name) => Path.Combine(Root, name);
    public string JournalPath(string name) => Path.Combine(DirectoryOf(name), "journal.db");
    public string SnapshotPath(string name) => Path.Combine(DirectoryOf(name), "snapshots.db");
    public string CheckpointDirectory(string name) => Path.Combine(DirectoryOf(name), "checkpoints");

    /// <summary>Marks an experiment whose journal is the cluster's (<c>journal = sqlite|postgres</c>), not its own SQLite files.</summary>
    public const string JournalMarker = "journal.conf";

    /// <summary>The cluster's SQLite journal and snapshots (cluster mode with <c>nas.cluster.journal = sqlite</c>).</summary>
    public string ClusterDirectory => Path.Combine(Root, ".cluster");

    /// <summary>
    /// The Akka persistence config that holds this experiment's journal: its own SQLite files, or, for an experiment
    /// run on a cluster, the cluster's journal named in STORE/NAME/journal.conf.
    /// </summary>
    public Akka.Configuration.Config JournalConfig(string name)
    {
        var marker = Path.Combine(DirectoryOf(name), JournalMarker);
        if (!File.Exists(marker)) return AkkaConfig.Sqlite(JournalPath(name), SnapshotPath(name));
        string kind;
        try { kind = Akka.Configuration.ConfigurationFactory.ParseString(File.ReadAllText(marker)).GetString("journal", ""); }
        catch (Exception e) when (e is not IOException) { kind = ""; }
        return Cluster.ClusterJournal.Config(kind, this, configured: null, source: marker);
    }

    /// <summary>Which kind of journal holds the experiment (sqlite or postgres) and, for SQLite, its file.</summary>
    public (string Kind, string Path) JournalLocation(string name)
    {
        var marker = Path.Combine(DirectoryOf(name), JournalMarker);
        if (!File.Exists(marker)) return ("sqlite", JournalPath(name));
        string kind;
        try { kind = Akka.Configuration.ConfigurationFactory.ParseString(File.ReadAllText(marker)).GetString("journal", ""); }
        catch (Exception e) when (e is not IOException) { kind = ""; }
        return kind switch
        {
            "sqlite" => ("sqlite", Path.Combine(ClusterDirectory, "journal.db")),
            "postgres" => ("postgres", ""),
            _ => throw new NasUserException($"{marker}: journal = '{kind}' is not a journal; use sqlite or postgres"),
        };
    }

    /// <summary>Whether the experiment was submitted to a cluster (its journal is the cluster's).</summary>
    public bool IsClusterExperiment(string name) => File.Exists(Path.Combine(DirectoryOf(name), JournalMarker));

    public bool Exists(string name) => File.Exists(Path.Combine(DirectoryOf(name), ConfigFile));

    public IReadOnlyList<string> List() => Directory.Exists(Root)
        ? [.. Directory.GetDirectories(Root).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.') && Exists(n)).Order(StringComparer.Ordinal)]
        : [];

    /// <summary>Creates the experiment directory with its config, atomically.</summary>
    public void Create(string name, string configText, string? journalMarker = null)
    {
        CheckName(name);
        if (Exists(name))
            throw new NasUserException($"experiment '{name}' already exists in {Root}; continue it with `nas resume {name}` or pick another --name");
        var dest = DirectoryOf(name);
        if (Directory.Exists(dest) || File.Exists(dest))
            throw new NasUserException($"{dest} exists and is not a NasActors experiment; pick another --name or --store");
        var tmp = Path.Combine(Root, $".{name}.tmp-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(Root);
            if (Directory.Exists(tmp)) Directory.Delete(tmp, true); // our own leftover from a killed create
            Directory.CreateDirectory(Path.Combine(tmp, "checkpoints"));
            using (var f = new FileStream(Path.Combine(tmp, ConfigFile), FileMode.CreateNew))
            {
                f.Write(System.Text.Encoding.UTF8.GetBytes(configText));
                f.Flush(flushToDisk: true);
            }
            if (journalMarker is not null) File.WriteAllText(Path.Combine(tmp, JournalMarker), journalMarker);
            else StoreIdentity.New(name).WriteTo(tmp);
            Directory.Move(tmp, dest);
            Core.IO.Durable.SyncDirectory(Root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NasUserException)
        {
            try { if (Directory.Exists(tmp)) Directory.Delete(tmp, true); } catch (IOException) { }
            if (Core.IO.DiskSpace.IsFull(e)) throw Core.IO.DiskSpace.Full(Root, e);
            if (e is UnauthorizedAccessException || e.InnerException is UnauthorizedAccessException)
                throw new NasUserException($"permission denied on {Root}: cannot create experiment '{name}' there; pass a --store directory this user can write");
            if (e is NasUserException) throw;
            throw new NasUserException($"cannot create experiment '{name}' in {Root} ({e.Message}); check that --store is a writable directory");
        }
    }

    public string ReadConfig(string name)
    {
        CheckName(name);
        if (!Exists(name))
        {
            var known = List();
            throw new NasUserException($"no experiment '{name}' in {Root}" + (known.Count == 0 ? "; start one with `nas search`" : $"; known: {string.Join(", ", known)}"));
        }
        return File.ReadAllText(Path.Combine(DirectoryOf(name), ConfigFile));
    }

    public string Source(string name) => Path.Combine(DirectoryOf(name), ConfigFile);

    /// <summary>
    /// Holds STORE/NAME/.lock exclusively while a process runs the experiment: two writers on one journal would
    /// conflict on every event. Dispose to release; the OS releases it if the process dies.
    /// </summary>
    public IDisposable Lock(string name)
    {
        var path = Path.Combine(DirectoryOf(name), ".lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a lock held elsewhere means another process; a read-only or unwritable store is said as it is.
            if (StoreAccess.CannotWrite(DirectoryOf(name), $"run experiment '{name}'") is { } why) throw why;
            throw new NasUserException($"experiment '{name}' is in use by another nas process; wait for it to finish or stop it, then `nas resume {name}`");
        }
    }
}
