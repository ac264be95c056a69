using System.Diagnostics;
using System.Text;

namespace NasActors.Cli.Tests;

/// <summary>Runs the real `nas` CLI (the Release build that ./test.sh makes) as a separate OS process.</summary>
internal sealed class CliProcess : IDisposable
{
    public static readonly string RepoRoot = FindRoot();
    public static readonly string Dll = Path.Combine(RepoRoot, "src", "NasActors.Cli", "bin", "Release", "net10.0", "nas.dll");

    private readonly Process _p;
    private readonly StringBuilder _out = new(), _err = new();
    private readonly object _gate = new();

    private static string FindRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "NasActors.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root (NasActors.sln) not found above " + AppContext.BaseDirectory);
    }

    public CliProcess(params string[] args) : this(null, null, args) { }

    /// <summary>The CLI with extra environment variables.</summary>
    public static CliProcess WithEnvironment(IReadOnlyDictionary<string, string> env, params string[] args) => new(null, env, args);

    /// <summary>./run-cluster.sh (which starts the CLI's nodes itself).</summary>
    public static CliProcess RunCluster(IReadOnlyDictionary<string, string>? env, params string[] args) => new("run-cluster.sh", env, args);

    /// <summary>Another .NET program of the repository (the example), run like the CLI.</summary>
    public static CliProcess Program(string dll, params string[] args) => new(null, null, args, dll);

    private CliProcess(string? script, IReadOnlyDictionary<string, string>? env, string[] args, string? dll = null)
    {
        if (!File.Exists(Dll))
            throw new InvalidOperationException($"{Dll} is missing: build the CLI in Release first (./test.sh does)");
        var psi = new ProcessStartInfo(script is null ? "dotnet" : "bash") { WorkingDirectory = RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script is null ? dll ?? Dll : Path.Combine(RepoRoot, script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["GLIBC_TUNABLES"] = "glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295";
        psi.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        _p = new Process { StartInfo = psi };
        _p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) _out.AppendLine(e.Data); };
        _p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) _err.AppendLine(e.Data); };
        _p.Start();
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
    }

    public int Pid => _p.Id;
    public string Stdout { get { lock (_gate) return _out.ToString(); } }
    public string Stderr { get { lock (_gate) return _err.ToString(); } }

    /// <summary>Waits for the process to exit; returns its exit code.</summary>
    public int Wait(TimeSpan timeout)
    {
        if (!_p.WaitForExit(timeout))
        {
            _p.Kill(entireProcessTree: true);
            throw new TimeoutException($"nas did not exit within {timeout}; stdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        _p.WaitForExit(); // flush async readers
        return _p.ExitCode;
    }

    /// <summary>Waits until stdout contains <paramref name="text"/>; false if the process exits or time runs out first.</summary>
    public bool WaitForOutput(string text, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (Stdout.Contains(text, StringComparison.Ordinal)) return true;
            if (_p.HasExited) return Stdout.Contains(text, StringComparison.Ordinal);
            Thread.Sleep(50);
        }
        return false;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, exactly like a crash. False if the process had already exited.</summary>
    public bool HasExited => _p.HasExited;

    public bool Kill9()
    {
        if (_p.HasExited) return false;
        using var kill = Process.Start("kill", ["-9", _p.Id.ToString()]);
        kill!.WaitForExit();
        _p.WaitForExit();
        return _p.ExitCode == 137 || kill.ExitCode == 0;
    }

    /// <summary>`nas export NAME --out FILE` into the store; the file's text. Fails the test when export fails.</summary>
    public static string Export(string store, string name)
    {
        var file = System.IO.Path.Combine(store, name + ".json");
        var (code, _, err) = Run(TimeSpan.FromMinutes(2), "export", name, "--store", store, "--out", file);
        Assert.True(code == 0, $"export failed ({code}): {err}");
        return File.ReadAllText(file);
    }

    /// <summary>An NNI dict as "key=value;..." whatever its JSON layout (files indent it to different depths).</summary>
    public static string Choices(System.Text.Json.JsonElement arch) =>
        string.Join(";", arch.EnumerateObject().Select(p => p.Name + "=" + p.Value.ToString()));

    public static (int Code, string Out, string Err) Run(TimeSpan timeout, params string[] args)
    {
        using var p = new CliProcess(args);
        var code = p.Wait(timeout);
        return (code, p.Stdout, p.Stderr);
    }

    /// <summary>SIGTERM: the process shuts down gracefully (a node leaves the cluster).</summary>
    public void Terminate()
    {
        if (_p.HasExited) return;
        using var kill = Process.Start("kill", ["-TERM", _p.Id.ToString()]);
        kill!.WaitForExit();
    }

    public void Dispose()
    {
        if (!_p.HasExited) _p.Kill(entireProcessTree: true);
        _p.Dispose();
    }
}
