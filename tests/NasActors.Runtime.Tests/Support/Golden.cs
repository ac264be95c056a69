using System.Security.Cryptography;

namespace NasActors.Runtime.Tests.Support;

/// <summary>The committed stores of format 1 (tests/golden/v1, see its README) and safe copies of them.</summary>
public static class Golden
{
    public static string Root => Path.Combine(Configuration.NasSettingsTests.RepoRoot(), "tests", "golden", "v1");

    public static string Stores => Path.Combine(Root, "stores");

    /// <summary>The experiments in the golden store; cluster-finished's journal is the store's .cluster/journal.db.</summary>
    public static readonly string[] Experiments =
        ["spos-finished", "spos-interrupted", "enas-finished", "enas-interrupted", "spos-retrain", "enas-snapshots", "cluster-finished"];

    /// <summary>
    /// Copies the whole golden store under <paramref name="directory"/> (opening one of its WAL databases, even
    /// read-only, may create -wal/-shm files: never open the committed ones).
    /// </summary>
    public static string CopyStore(string directory)
    {
        var dest = Path.Combine(directory, "golden-store");
        foreach (var file in Directory.EnumerateFiles(Stores, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(dest, Path.GetRelativePath(Stores, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return dest;
    }

    /// <summary>SHA-256 of every file under <paramref name="directory"/> but SQLite's -wal/-shm side files, by relative path.</summary>
    public static SortedDictionary<string, string> Hashes(string directory) =>
        new(Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(directory, f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))),
            StringComparer.Ordinal);
}
