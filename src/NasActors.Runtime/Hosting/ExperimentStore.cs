using System.Text.RegularExpressions;
using NasActors.Core;

namespace NasActors.Runtime.Hosting;

/// <summary>
/// A directory of experiments: STORE/NAME/{config.conf, journal.db, snapshots.db, checkpoints/}. An experiment
/// directory appears whole (built under a temporary name, then renamed) or not at all.
/// </summary>
public sealed partial class ExperimentStore(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public const string ConfigFile = "config.conf";

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

    public bool Exists(string name) => File.Exists(Path.Combine(DirectoryOf(name), ConfigFile));

    public IReadOnlyList<string> List() => Directory.Exists(Root)
        ? [.. Directory.GetDirectories(Root).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.') && Exists(n)).Order(StringComparer.Ordinal)]
        : [];

    /// <summary>Creates the experiment directory with its config, atomically.</summary>
    public void Create(string name, string configText)
    {
        CheckName(name);
        if (Exists(name))
            throw new NasUserException($"experiment '{name}' already exists in {Root}; continue it with `nas resume {name}` or pick another --name");
        Directory.CreateDirectory(Root);
        var tmp = Path.Combine(Root, $".{name}.tmp-{Environment.ProcessId}");
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(Path.Combine(tmp, "checkpoints"));
        File.WriteAllText(Path.Combine(tmp, ConfigFile), configText);
        var dest = DirectoryOf(name);
        if (Directory.Exists(dest)) Directory.Delete(dest, true); // a directory without config.conf is an aborted create
        Directory.Move(tmp, dest);
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
}
