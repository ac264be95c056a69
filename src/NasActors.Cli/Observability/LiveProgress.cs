using NasActors.Runtime.Experiment;
using Spectre.Console;

namespace NasActors.Cli.Observability;

/// <summary>
/// Draws <see cref="LiveView"/> on a terminal, redrawn twice a second on its own task from the latest progress
/// notification (the notifications only replace a reference: the listener never waits for the terminal).
/// </summary>
internal sealed class LiveProgress : IAsyncDisposable
{
    private readonly IAnsiConsole _console;
    private readonly string _title;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly EtaClock _eta = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private ExperimentProtocol.Progressed? _latest;
    private ExperimentProtocol.TrainerProgressed? _live;
    private long _liveAt; // Stopwatch ms of the latest trainer report

    public static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(500);

    public LiveProgress(IAnsiConsole console, string title)
    {
        (_console, _title) = (console, title);
        _loop = Task.Run(Loop);
    }

    public void Report(ExperimentProtocol.Progressed p)
    {
        if (p.Live is { } live)
        {
            Volatile.Write(ref _live, live);
            Volatile.Write(ref _liveAt, _clock.ElapsedMilliseconds);
        }
        Volatile.Write(ref _latest, p);
    }

    private async Task Loop()
    {
        await _console.Live(new Markup("starting...")).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).StartAsync(async ctx =>
        {
            while (true)
            {
                var stopping = _stop.IsCancellationRequested;
                if (Volatile.Read(ref _latest) is { } p)
                {
                    var now = _clock.Elapsed;
                    // A trainer's step is shown while it is recent: training, not scoring.
                    var live = now.TotalMilliseconds - Volatile.Read(ref _liveAt) < 3000 ? Volatile.Read(ref _live) : null;
                    ctx.UpdateTarget(LiveView.Render(p.Status.Plan, new LiveFacts(_title, now, p.ImagesPerSecond, live?.Progress, live?.Device,
                        _eta.Estimate(p.Status.Plan, now))));
                }
                ctx.Refresh();
                if (stopping) return;
                try { await Task.Delay(Refresh, _stop.Token); }
                catch (OperationCanceledException) { }
            }
        });
    }

    /// <summary>Draws the last frame and leaves it on the screen.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
