using System.Runtime.InteropServices;
using NasActors.Core;

namespace NasActors.Runtime.Hosting;

/// <summary>
/// Why a store cannot be written, said truthfully: a read-only file system is not damage, and a permission problem is
/// not another process. Reading (status, export) needs neither.
/// </summary>
internal static class StoreAccess
{
    /// <summary>Whether this process may create files in <paramref name="dir"/> (access(2) W_OK; false on a read-only mount).</summary>
    public static bool Writable(string dir) => access(dir, 2) == 0;

    /// <summary>Whether <paramref name="dir"/> is on a file system mounted read-only (statvfs f_flag ST_RDONLY).</summary>
    public static bool IsReadOnlyFileSystem(string dir)
    {
        if (!OperatingSystem.IsLinux()) return false;
        var buf = new byte[256];
        if (statvfs(dir, buf) != 0) return false;
        // struct statvfs on 64-bit Linux: f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_favail,
        // f_fsid (8 bytes each), then f_flag.
        return (BitConverter.ToUInt64(buf, 72) & 1) != 0;
    }

    /// <summary>The line for a store <paramref name="dir"/> this process cannot write, or null when it can.</summary>
    public static NasUserException? CannotWrite(string dir, string what)
    {
        if (IsReadOnlyFileSystem(dir))
            return new NasUserException($"the experiment store {dir} is on a read-only file system, so it cannot {what}: `nas status` and `nas export` read it there; to resume, copy the experiment directory to writable storage (or remount it read-write)");
        if (!Writable(dir))
            return new NasUserException($"permission denied on {dir}: this user cannot create files there, so it cannot {what}; run as the store's owner or give this user write access (`nas status` and `nas export` need only read access)");
        return null;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int statvfs([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] buf);
}
