using System.Runtime.InteropServices;

namespace NasActors.Core.IO;

/// <summary>
/// fsync of a directory, so a rename that made a file visible survives power loss (the file's own fsync does not
/// cover its directory entry). A journal event may refer to that file the moment the rename returns.
/// </summary>
public static partial class Durable
{
    private const int ORdOnly = 0, ODirectory = 0x10000; // Linux x86-64 / arm64 values

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    /// <summary>Best effort: a no-op where directories cannot be fsynced (not Linux).</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = open(directory, ORdOnly | ODirectory);
        if (fd < 0) return;
        try { fsync(fd); }
        finally { close(fd); }
    }
}
