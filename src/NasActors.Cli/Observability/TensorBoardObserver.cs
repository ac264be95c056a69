using System.Globalization;
using NasActors.Core.Engine;
using NasActors.Core.Progress;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;
using TorchSharp;

namespace NasActors.Cli.Observability;

/// <summary>
/// Writes an experiment's TensorBoard event files under STORE/NAME/tb/ while it runs. A thin observer: it is told that
/// something was journaled (the experiment's progress notifications, which it only flags) and, on its own thread at
/// most once a second, reads the new journal entries read-only, folds them through its own copy of the plan and writes
/// the points of a <see cref="StatusTimeline"/> with TorchSharp's SummaryWriter. The experiment's mailbox never waits
/// for it. Steps come from the journal only (counters: round, scored, controller_step, generation), so on resume it
/// folds the journal again and writes only the entries after the last one it wrote (tb/.nas-sequence): the series go on
/// from where they stopped, never back. Throughput (not journaled) is written per round from the live notifications.
/// In a cluster it runs on the controller node that runs the experiment (the coordinator starts it), under that node's store.
/// </summary>
internal sealed class TensorBoardObserver : Runtime.Cluster.IExperimentObserver
{
    public const string Folder = "tb";

    /// <summary>The last journal sequence number whose points are in the event files.</summary>
    public const string MarkerFile = ".nas-sequence";

    private static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(1);

    private readonly ExperimentStore _store;
    private readonly string _name;
    private readonly NasSettings _settings;
    private readonly string _dir;
    private readonly Thread _thread;
    private readonly AutoResetEvent _wake = new(false);
    private readonly StatusTimeline _timeline = new();
    private volatile bool _stopping;
    private long _read;        // journal entries folded
    private long _written;     // entries whose points are written (the marker)
    private IPlan? _plan;
    private object? _state;
    private TorchSharp.Modules.SummaryWriter? _writer;
    private (long Round, double ImagesPerSecond) _speed = (-1, 0);
    private long _speedWritten = long.MaxValue; // rounds up to this one already have a throughput point (set after catching up)
    private readonly object _gate = new();
    private int _readErrors;

    /// <summary>Why writing stopped (e.g. disk full), or null: the search never fails for its TensorBoard files.</summary>
    public string? Failure { get; private set; }

    private TensorBoardObserver(ExperimentStore store, string name, NasSettings settings)
    {
        (_store, _name, _settings) = (store, name, settings);
        _dir = Path.Combine(store.DirectoryOf(name), Folder);
        _written = ReadMarker(_dir);
        _thread = new Thread(Loop) { IsBackground = true, Name = "nas-tensorboard", Priority = ThreadPriority.BelowNormal };
        _thread.Start();
    }

    /// <summary>On unless NAS_TENSORBOARD=0 (to measure a run without it).</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable("NAS_TENSORBOARD") != "0";

    public static TensorBoardObserver Start(ExperimentStore store, string name, NasSettings settings) => new(store, name, settings);

    /// <summary>Called for every progress notification (on the listener's thread): flags work, never waits.</summary>
    public void Notify(ExperimentProtocol.Progressed p)
    {
        if (p.Live is null)
        {
            _wake.Set();
            return;
        }
        if (p.ImagesPerSecond > 0 && p.Status.Plan.Counter("round") is { } round)
            lock (_gate) _speed = (round.Done, p.ImagesPerSecond);
    }

    private void Loop()
    {
        var last = DateTime.MinValue;
        while (!_stopping)
        {
            _wake.WaitOne(TimeSpan.FromSeconds(5));
            if (_stopping) break;
            var wait = MinimumInterval - (DateTime.UtcNow - last);
            if (wait > TimeSpan.Zero) Thread.Sleep(wait);
            last = DateTime.UtcNow;
            Poll();
        }
    }

    /// <summary>Reads what was journaled since the last poll and writes its points; never throws.</summary>
    private void Poll()
    {
        if (Failure is not null) return;
        try
        {
            using var scope = torch.NewDisposeScope();
            var wrote = false;
            IReadOnlyList<(long Sequence, object Entry)> entries;
            try { entries = ExperimentJournal.After(_store, _name, _read); }
            catch (Exception e) when (++_readErrors < 10)
            {
                // A read can meet the writer mid-checkpoint: try again at the next poll.
                System.Diagnostics.Debug.WriteLine(e.Message);
                return;
            }
            _readErrors = 0;
            foreach (var (seq, entry) in entries)
            {
                _read = seq;
                if (entry is ExperimentProtocol.Started started)
                {
                    _plan = _settings.CreatePlan(started.ToSpace(), costs: null, readOnly: true);
                    _state = _plan.Initial;
                }
                else if (entry is PlanEvent e && _plan is not null)
                    _state = _plan.Apply(_state!, e);
                else continue;
                var points = _timeline.Add(_plan.Status(_state!));
                if (seq <= _written || points.IsEmpty) continue;
                Write(points, seq == 1);
                wrote = true;
            }
            if (_speedWritten == long.MaxValue && _plan is not null)
                _speedWritten = _plan.Status(_state!).Counter("round")?.Done ?? 0;
            (long Round, double Ips) speed;
            lock (_gate) speed = _speed;
            if (speed.Round > _speedWritten)
            {
                Writer().add_scalar("round/images_per_second", (float)speed.Ips, Step(speed.Round), Now());
                _speedWritten = speed.Round;
            }
            if (wrote || _read > _written)
            {
                _written = Math.Max(_written, _read);
                WriteMarker(_dir, _written);
            }
        }
        catch (Exception e)
        {
            // Disk full, a read-only store, a journal it cannot read yet: the search goes on without its event files.
            Failure = e.GetBaseException().Message;
        }
    }

    private void Write(TimelinePoints points, bool first)
    {
        var w = Writer();
        var now = Now();
        if (first) w.add_text("config", "```\n" + _store.ReadConfig(_name) + "\n```", 0, now);
        foreach (var p in points.Scalars) w.add_scalar(p.Tag, (float)p.Value, Step(p.Step), now);
        foreach (var h in points.Histograms)
            w.add_histogram(h.Tag, torch.tensor(h.Values.ToArray()), Step(h.Step), walltime: now);
    }

    private TorchSharp.Modules.SummaryWriter Writer() => _writer ??= torch.utils.tensorboard.SummaryWriter(_dir);

    private static int Step(long step) => (int)Math.Clamp(step, 0, int.MaxValue);

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static long ReadMarker(string dir)
    {
        try { return long.Parse(File.ReadAllText(Path.Combine(dir, MarkerFile)).Trim(), CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or OverflowException) { return 0; }
    }

    private static void WriteMarker(string dir, long seq)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, MarkerFile);
        try
        {
            File.WriteAllText(path + ".tmp", seq.ToString(CultureInfo.InvariantCulture));
            File.Move(path + ".tmp", path, overwrite: true);
        }
        catch
        {
            File.Delete(path + ".tmp"); // a full disk leaves no half-written file behind
            throw;
        }
    }

    /// <summary>Catches up with everything journaled (the run has stopped), then stops the thread.</summary>
    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        _wake.Set();
        _thread.Join();
        Poll();
        _wake.Dispose();
    }
}
