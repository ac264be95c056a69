using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace NasActors.Bench;

/// <summary>
/// A `nas` CLI process (a cluster node or a `nas search --cluster` client) started by a cluster benchmark: its output
/// goes to a log file and is kept in memory with the moment each line arrived here (Stopwatch and UTC), so benchmarks
/// can wait for a line and time the gap between two. <see cref="Dispose"/> stops it (SIGTERM, then SIGKILL).
/// </summary>
internal sealed partial class NasProcess : IDisposable
{
    /// <summary>One line of output and when this process read it.</summary>
    public sealed record Line(int Index, TimeSpan Arrived, DateTime ArrivedUtc, string Text)
    {
        /// <summary>The UTC timestamp an Akka log line carries (`[INFO][11/23/2026 09:01:41.990Z][Thread 0004]...`); null for other lines.</summary>
        public DateTime? LoggedUtc => AkkaStamp().Match(Text) is { Success: true } m
            ? DateTime.ParseExact(m.Groups[1].Value, "MM/dd/yyyy HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)
            : null;
    }

    [GeneratedRegex(@"^\[[A-Z]+\]\[(\d\d/\d\d/\d{4} \d\d:\d\d:\d\d\.\d{3})Z\]")]
    private static partial Regex AkkaStamp();

    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    private readonly Process _process;
    private readonly List<Line> _lines = [];
    private readonly StreamWriter _log;
    private readonly object _gate = new();
    private bool _disposed;

    public string Label { get; }
    public string LogPath { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>The time base of <see cref="Line.Arrived"/>.</summary>
    public static TimeSpan Now => Clock.Elapsed;

    private NasProcess(string label, string logPath, string dll, IEnumerable<string> args)
    {
        Label = label;
        LogPath = logPath;
        _log = new StreamWriter(logPath) { AutoFlush = true };
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) Add(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Add(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Live.Add(this);
    }

    /// <summary>Processes not yet stopped: stopped on Ctrl-C and at exit too, so a failed benchmark leaves no node behind.</summary>
    private static readonly List<NasProcess> Live = [];

    static NasProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
        Console.CancelKeyPress += (_, _) => StopAll();
    }

    private static void StopAll()
    {
        NasProcess[] live;
        lock (Live) live = [.. Live];
        Stop(live);
    }

    public static NasProcess Start(string label, string logPath, params IEnumerable<string> args) => StartDll(label, logPath, CliDll(), args);

    /// <summary>Like <see cref="Start"/>, with another build of the CLI (e.g. an earlier version's nas.dll).</summary>
    public static NasProcess StartDll(string label, string logPath, string dll, params IEnumerable<string> args)
    {
        lock (Live) return new NasProcess(label, logPath, dll, args);
    }

    /// <summary>The CLI the nodes run (bench/run.sh builds it).</summary>
    public static string CliDll()
    {
        var dll = Path.Combine(BenchConfig.RepoRoot(), "src", "NasActors.Cli", "bin", "Release", "net10.0", "nas.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing; build it with bench/run.sh (or ./nas help)");
        return dll;
    }

    /// <summary>A TCP port free right now on 127.0.0.1 (the OS picks it).</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private void Add(string text)
    {
        lock (_gate)
        {
            _lines.Add(new Line(_lines.Count, Clock.Elapsed, DateTime.UtcNow, text));
            try { _log.WriteLine(text); } catch (ObjectDisposedException) { }
        }
    }

    [GeneratedRegex(@"Leader is moving node \[([^\]]+)\] to \[Up\]")]
    private static partial Regex MovedUp();

    /// <summary>
    /// Waits until <paramref name="count"/> distinct members are Up. Only the cluster's leader (the member with the lowest
    /// address, not necessarily the oldest) logs `Leader is moving node [...] to [Up]`, so all the nodes' logs are read.
    /// </summary>
    public static async Task WaitForUp(IReadOnlyCollection<NasProcess> nodes, int count, TimeSpan timeout)
    {
        var deadline = Clock.Elapsed + timeout;
        while (nodes.SelectMany(p => p.Lines()).Select(l => MovedUp().Match(l.Text)).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().Count() < count)
        {
            if (nodes.FirstOrDefault(p => p.HasExited) is { } dead) throw new InvalidOperationException($"{dead.Label} exited at start; {dead.Tail()}");
            if (Clock.Elapsed > deadline) throw new TimeoutException($"fewer than {count} nodes Up after {timeout.TotalSeconds:F0} s; {nodes.First().Tail()}");
            await Task.Delay(100);
        }
    }

    public IReadOnlyList<Line> Lines()
    {
        lock (_gate) return [.. _lines];
    }

    /// <summary>The first line at or after <paramref name="from"/> that matches; null if none yet.</summary>
    public Line? Find(Func<string, bool> match, int from = 0)
    {
        lock (_gate)
        {
            for (var i = from; i < _lines.Count; i++) if (match(_lines[i].Text)) return _lines[i];
            return null;
        }
    }

    /// <summary>Waits for a matching line (from line <paramref name="from"/> on); throws with the log's tail on timeout or exit.</summary>
    public async Task<Line> WaitFor(Func<string, bool> match, TimeSpan timeout, string what, int from = 0)
    {
        var deadline = Clock.Elapsed + timeout;
        while (true)
        {
            if (Find(match, from) is { } l) return l;
            if (_process.HasExited)
            {
                await Task.Delay(200); // the last lines may still be on their way
                if (Find(match, from) is { } late) return late;
                throw new InvalidOperationException($"{Label} exited (code {_process.ExitCode}) before {what}; {Tail()}");
            }
            if (Clock.Elapsed > deadline) throw new TimeoutException($"{Label}: no {what} after {timeout.TotalSeconds:F0} s; {Tail()}");
            await Task.Delay(20);
        }
    }

    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"{Label} still running after {timeout.TotalSeconds:F0} s; {Tail()}"); }
        _process.WaitForExit(); // drains the output
        return _process.ExitCode;
    }

    public string Tail(int n = 8)
    {
        var lines = Lines();
        return $"log {LogPath} ends with:\n    " + string.Join("\n    ", lines.Skip(Math.Max(0, lines.Count - n)).Select(l => l.Text));
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    private static extern int SysKill(int pid, int signal);

    private const int SigTerm = 15, SigKill = 9;

    /// <summary>CPU time (user + system) the process has used so far, from /proc; 0 once it has exited.</summary>
    public double CpuSeconds()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields 14 and 15 of proc(5) (utime, stime), in clock ticks of 1/100 s; the split starts at field 3.
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (IOException) { return 0; }
    }

    /// <summary>kill -9, now; returns the moment it was sent.</summary>
    public (TimeSpan At, DateTime AtUtc) Kill9()
    {
        var at = (Clock.Elapsed, DateTime.UtcNow);
        if (SysKill(_process.Id, SigKill) != 0) throw new InvalidOperationException($"kill -9 {_process.Id} failed (errno {Marshal.GetLastPInvokeError()})");
        return at;
    }

    /// <summary>SIGTERM to all (nodes leave the cluster gracefully), SIGKILL to those still running after <paramref name="grace"/>.</summary>
    public static void Stop(IReadOnlyCollection<NasProcess> processes, TimeSpan? grace = null)
    {
        var running = processes.Where(p => !p._disposed && !Exited(p)).ToList();
        foreach (var p in running) SysKill(p._process.Id, SigTerm);
        var deadline = Clock.Elapsed + (grace ?? TimeSpan.FromSeconds(15));
        while (running.Any(p => !Exited(p)) && Clock.Elapsed < deadline) Thread.Sleep(100);
        foreach (var p in running.Where(p => !Exited(p))) SysKill(p._process.Id, SigKill);
        foreach (var p in processes) p.Dispose();
    }

    private static bool Exited(NasProcess p)
    {
        try { return p._process.HasExited; }
        catch (InvalidOperationException) { return true; }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!Exited(this))
        {
            SysKill(_process.Id, SigTerm);
            if (!_process.WaitForExit(10_000)) SysKill(_process.Id, SigKill);
        }
        _process.WaitForExit(5_000);
        lock (_gate) _log.Dispose();
        _process.Dispose();
        lock (Live) Live.Remove(this);
    }
}
