using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using NasActors.Runtime.Tests.Support;

namespace NasActors.Cli.Tests;

/// <summary>
/// A store on read-only media (a read-only bind mount) or one this user may not write (`setpriv` to nobody): status and
/// export read it, a finished and a killed (WAL) experiment alike; resume says "read-only file system" or "permission
/// denied on PATH" (not "corrupt" or "another process"), exit 2, and nothing changes. Needs root (mount, setpriv);
/// without it the tests fail saying so.
/// </summary>
[Collection(IdentityStoresCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // mount, setpriv and Unix file modes
public sealed class ReadOnlyStoreTests(IdentityStores stores, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private static void RequireRoot()
    {
        if (!Environment.IsPrivilegedProcess)
            Assert.Fail($"this test bind-mounts a store read-only and runs nas as another user, which needs root (this is {Environment.UserName}); run the suite as root, as CI does");
    }

    /// <summary>A world-readable copy of the finished experiment (STORE/a) and of the killed one (STORE/k/a, with its WAL).</summary>
    private static string Copies(IdentityStores stores)
    {
        var root = Directory.CreateTempSubdirectory("nas-ro-").FullName;
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        IdentityStores.Copy(Path.Combine(stores.Finished, "a"), Path.Combine(root, "a"));
        IdentityStores.Copy(Path.Combine(stores.Killed, "a"), Path.Combine(root, "k", "a")); // a store of its own
        foreach (var d in Directory.GetDirectories(root, "*", SearchOption.AllDirectories)) File.SetUnixFileMode(d, (UnixFileMode)0b111_101_101);
        return root;
    }

    private (int Code, string Out, string Err) Nas(string? user, params string[] args)
    {
        var psi = new ProcessStartInfo(user is null ? "dotnet" : "setpriv") { WorkingDirectory = "/", RedirectStandardOutput = true, RedirectStandardError = true };
        if (user is not null)
            foreach (var a in new[] { $"--reuid={user}", "--regid=nogroup", "--clear-groups", "dotnet" }) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(CliProcess.Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["HOME"] = "/tmp";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(Timeout), "nas did not exit");
        output.WriteLine($"{user ?? "root"}: nas {string.Join(' ', args)} -> {p.ExitCode} {stderr.Result.Trim()}");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private void ReadsAndRefusesResume(string? user, string store, Func<string, string> expected)
    {
        foreach (var (dir, name) in new[] { (store, "a"), (Path.Combine(store, "k"), "a") })
        {
            var before = StoreIdentityTests.Snapshot(Path.Combine(dir, name));
            var (code, stdout, stderr) = Nas(user, "status", name, "--store", dir);
            Assert.True(code == 0, stdout + stderr);
            Assert.Contains($"experiment {name} in ", stdout);
            (code, stdout, stderr) = Nas(user, "export", name, "--store", dir);
            Assert.True(code == 0, stdout + stderr);
            if (dir == store) Assert.Equal(stores.Reference, stdout);
            (code, stdout, stderr) = Nas(user, "resume", name, "--store", dir);
            Assert.True(code == 2, $"resume exited {code}:\n{stdout}\n{stderr}");
            Assert.Single(stderr.Trim().Split('\n'));
            Assert.Contains(expected(Path.Combine(dir, name)), stderr);
            Assert.DoesNotContain("corrupt", stderr);
            Assert.DoesNotContain("another", stderr);
            SqliteConnection.ClearAllPools();
            var after = StoreIdentityTests.Snapshot(Path.Combine(dir, name));
            Assert.Equal(before, after);
        }
    }

    [Fact]
    public void A_read_only_mount_must_be_read_by_status_and_export_and_refused_by_resume_as_read_only()
    {
        RequireRoot();
        var source = Copies(stores);
        var mount = Directory.CreateTempSubdirectory("nas-ro-mount-").FullName;
        Tmpfs.Run("mount", "--bind", source, mount);
        try
        {
            Tmpfs.Run("mount", "-o", "remount,bind,ro", mount);
            ReadsAndRefusesResume(null, mount, dir => $"the experiment store {dir} is on a read-only file system");
        }
        finally
        {
            Tmpfs.Run("umount", mount);
            Directory.Delete(mount);
            Directory.Delete(source, true);
        }
    }

    [Fact]
    public void A_store_this_user_cannot_write_must_be_read_by_status_and_export_and_refused_by_resume_naming_the_path()
    {
        RequireRoot();
        var store = Copies(stores);
        try { ReadsAndRefusesResume("nobody", store, dir => $"permission denied on {dir}: "); }
        finally { Directory.Delete(store, true); }
    }
}
