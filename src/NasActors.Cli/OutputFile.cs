using System.Runtime.InteropServices;
using System.Text;
using NasActors.Core;

namespace NasActors.Cli;

/// <summary>
/// Writes an `--out` file without ever replacing what is not ours to replace:
/// `-` (and /dev/stdout) is standard output; a new path or an existing regular file is written whole or not at all
/// (temp file + rename); an existing character device, FIFO or socket (/dev/null, /dev/full, a named pipe) is written
/// straight into, never replaced; a symbolic link is followed only when it ends at such a device or pipe (/dev/stderr,
/// /dev/fd/N) and refused otherwise (it is never replaced, and the file behind it is not rewritten through it);
/// a directory or a block device is refused. Every failure is one line (a <see cref="NasUserException"/>), with nothing written.
/// </summary>
internal static class OutputFile
{
    /// <summary>How the text reached its destination: true when it went to standard output.</summary>
    public static bool Write(string outPath, string text, bool refuseExistingFile)
    {
        if (outPath is "-" or "/dev/stdout")
        {
            Console.Out.Write(text);
            Console.Out.Flush();
            return true;
        }
        string full;
        try { full = Path.GetFullPath(outPath); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new NasUserException($"--out '{outPath}' is not a usable path ({e.Message})");
        }
        var kind = Kind(full, follow: false);
        if (kind == FileKind.Link)
        {
            var target = Kind(full, follow: true);
            string to;
            try { to = File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? "?"; }
            catch (IOException) { to = "?"; }
            if (target is not (FileKind.CharDevice or FileKind.Fifo or FileKind.Socket))
                throw new NasUserException($"--out {full} is a symbolic link (to {to}); it is never replaced or written through: pass the real path, or - for standard output (nothing was written)");
            kind = target;
        }
        switch (kind)
        {
            case FileKind.CharDevice or FileKind.Fifo or FileKind.Socket:
                WriteStraight(full, text);
                return false;
            case FileKind.Directory:
                throw new NasUserException($"--out {full} is a directory; pass a file path (nothing was written)");
            case FileKind.Other:
                throw new NasUserException($"--out {full} is not a regular file (a block device or similar); pass a file path (nothing was written)");
            case FileKind.Regular when refuseExistingFile:
                throw new NasUserException($"{full} exists; pick another --out (nothing was written)");
        }
        // A new path or a regular file: whole or not at all.
        var tmp = full + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var f = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                f.Write(new UTF8Encoding(false).GetBytes(text));
                f.Flush(flushToDisk: true);
            }
            if (refuseExistingFile) File.Move(tmp, full);
            else File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (Exception d) when (d is IOException or UnauthorizedAccessException) { }
            throw new NasUserException($"cannot write {full} ({Reason(e)}); pass a writable file path with --out (nothing was written)");
        }
        return false;
    }

    /// <summary>Into a device or pipe as it is: opened for writing, never created, truncated or renamed over.</summary>
    private static void WriteStraight(string full, string text)
    {
        try
        {
            using var f = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
            f.Write(new UTF8Encoding(false).GetBytes(text));
            f.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasUserException($"cannot write {full} ({Reason(e)})");
        }
    }

    /// <summary>The OS's reason in one line; "no space left on device" for a full disk (or /dev/full).</summary>
    private static string Reason(Exception e)
    {
        const int ENOSPC = 28;
        if (e is IOException io && ((io.HResult & 0xFFFF) == ENOSPC || e.Message.Contains("space", StringComparison.OrdinalIgnoreCase)))
            return "disk full: no space left on device";
        return e.Message.ReplaceLineEndings(" ").Trim();
    }

    internal enum FileKind { None, Regular, Directory, Link, CharDevice, Fifo, Socket, Other }

    // .NET's own native shim (what System.IO uses): its FileStatus starts { int Flags; int Mode; ... } on every platform,
    // and Mode carries the S_IFMT type bits. A buffer larger than the struct keeps us independent of its later fields.
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat", SetLastError = true)]
    private static extern int LStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] status);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] status);

    internal static FileKind Kind(string path, bool follow)
    {
        var buf = new byte[1024];
        int rc;
        try { rc = follow ? Stat(path, buf) : LStat(path, buf); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No shim: what System.IO can tell (it cannot tell devices from files).
            if (Directory.Exists(path)) return FileKind.Directory;
            if (!follow && new FileInfo(path).LinkTarget is not null) return FileKind.Link;
            return File.Exists(path) ? FileKind.Regular : FileKind.None;
        }
        if (rc != 0) return FileKind.None;
        var mode = BitConverter.ToInt32(buf, 4) & 0xF000;
        return mode switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.Link,
            0x2000 => FileKind.CharDevice,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            _ => FileKind.Other,
        };
    }
}
