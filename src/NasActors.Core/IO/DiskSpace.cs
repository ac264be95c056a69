using System.Globalization;
using System.Text.RegularExpressions;

namespace NasActors.Core.IO;

/// <summary>
/// Write failures for lack of space, as one user line: <c>disk full at PATH (N MB free)</c>. Layers that cannot know
/// the experiment's name (checkpoint store, journal, identity file) throw it; the command that ran the experiment
/// recognises the line (<see cref="TryFind"/>) wherever it was wrapped and adds how to continue.
/// </summary>
public static partial class DiskSpace
{
    private const int Enospc = 28, Edquot = 122;

    /// <summary>Whether <paramref name="e"/> (or an inner exception) says the disk or quota is full.</summary>
    public static bool IsFull(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            // .NET on Unix puts errno in HResult for IOExceptions it raises itself.
            if (e is IOException && e.HResult is Enospc or Edquot) return true;
            // SQLite (SQLITE_FULL) and exceptions that only carry the text.
            if (IsFullMessage(e.Message)) return true;
        }
        return false;
    }

    public static bool IsFullMessage(string message) =>
        message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
        || message.Contains("database or disk is full", StringComparison.OrdinalIgnoreCase)
        || message.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase);

    /// <summary>Free bytes on the file system holding <paramref name="path"/> (or its nearest existing parent); -1 if unknown.</summary>
    public static long FreeBytes(string path)
    {
        try
        {
            var dir = Path.GetFullPath(path);
            while (!Directory.Exists(dir) && Path.GetDirectoryName(dir) is { } parent) dir = parent;
            return new DriveInfo(dir).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return -1; }
    }

    /// <summary>
    /// Refuses to start writing at <paramref name="path"/> with less than <paramref name="bytes"/> free: SQLite and its
    /// persistence plugin fail on a full disk in ways that cannot be told apart from damage (and the plugin only after
    /// a 30 s timeout), so a nearly full disk is named before anything is opened.
    /// </summary>
    public static void Require(string path, long bytes)
    {
        var free = FreeBytes(path);
        if (free >= 0 && free < bytes) throw Full(path);
    }

    /// <summary>The one line for a full disk at <paramref name="path"/>.</summary>
    public static NasUserException Full(string path, Exception? inner = null)
    {
        var free = FreeBytes(path);
        var mb = free / (1024.0 * 1024);
        var message = $"disk full at {path} ({(free < 0 ? "?" : mb.ToString(mb < 10 ? "0.0" : "0", CultureInfo.InvariantCulture))} MB free)";
        return inner is null ? new NasUserException(message) : new NasUserException(message, inner);
    }

    [GeneratedRegex(@"disk full at (?<path>.+?) \((?<free>[\d.]+|\?) MB free\)")]
    private static partial Regex FullLine();

    /// <summary>The <c>disk full at PATH (N MB free)</c> part of a message that wraps it, if any.</summary>
    public static string? TryFind(string message)
    {
        var m = FullLine().Match(message);
        return m.Success ? m.Value : null;
    }
}
