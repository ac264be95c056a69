using System.Diagnostics;

namespace NasActors.Cli.Tests;

/// <summary>
/// A small tmpfs mounted for a test (a disk that fills up), unmounted afterwards. Needs root: without it the test fails
/// saying so (CI runs as root); it is never skipped as if it had passed.
/// </summary>
internal sealed class Tmpfs : IDisposable
{
    public string Path { get; }

    public Tmpfs(string sizeKb, string? at = null)
    {
        if (!Environment.IsPrivilegedProcess)
            Assert.Fail($"this test mounts a tmpfs to fill a disk and needs root (uid 0; this is {Environment.UserName}); run the suite as root, as CI does");
        Path = at ?? Directory.CreateTempSubdirectory("nas-tmpfs-").FullName;
        Directory.CreateDirectory(Path);
        Run("mount", "-t", "tmpfs", "-o", $"size={sizeKb}k", "tmpfs", Path);
    }

    public static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {p.StandardError.ReadToEnd()}");
    }

    public long FreeKb => new DriveInfo(Path).AvailableFreeSpace / 1024;

    /// <summary>A file that takes all but <paramref name="leaveKb"/> of the free space.</summary>
    public string Fill(long leaveKb, string name = "filler")
    {
        var file = System.IO.Path.Combine(Path, name);
        var size = Math.Max(0, FreeKb - leaveKb) * 1024;
        if (size > 0) Run("fallocate", "-l", size.ToString(System.Globalization.CultureInfo.InvariantCulture), file);
        return file;
    }

    public void Dispose()
    {
        var psi = new ProcessStartInfo("umount", ["-l", Path]) { RedirectStandardError = true };
        using (var p = Process.Start(psi)!) p.WaitForExit();
        try { Directory.Delete(Path); } catch (IOException) { }
    }
}
