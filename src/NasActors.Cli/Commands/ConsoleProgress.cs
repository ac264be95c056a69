using System.Diagnostics;
using System.Globalization;
using System.Text;
using NasActors.Core.Engine;
using NasActors.Runtime.Experiment;

namespace NasActors.Cli;

/// <summary>
/// Renders the experiment's structured progress as plain timestamped lines (output redirected: pipes, CI, logs): at
/// most one line every five seconds, and one at once when the phase changes or the plan finishes.
/// </summary>
internal sealed class ConsoleProgress
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _gate = new();
    private double _lastPrinted = double.NegativeInfinity;
    private string? _lastLine;
    private string? _lastPhase;

    /// <summary>Seconds between lines, unless the phase changes.</summary>
    public const double Interval = 5;

    public void Report(ExperimentProtocol.Progressed p)
    {
        var phase = p.Status.Plan.Phase;
        lock (_gate)
        {
            var now = _clock.Elapsed.TotalSeconds;
            if (phase == _lastPhase && now - _lastPrinted < Interval && !p.Status.Plan.Finished) return;
            var line = p.Live is { } live ? LiveLine(p.Status.Plan, live, p.ImagesPerSecond) : PlanLine(p.Status.Plan);
            if (line == _lastLine) return;
            (_lastPrinted, _lastLine, _lastPhase) = (now, line, phase);
            Print(line, now);
        }
    }

    /// <summary>A notice (not progress): printed as it is.</summary>
    public void Report(string line)
    {
        lock (_gate) Print(line, _clock.Elapsed.TotalSeconds);
    }

    private static void Print(string line, double now) => Console.WriteLine($"[{(int)now / 60:00}:{(int)now % 60:00}] {line}");

    internal static string LiveLine(PlanStatus s, ExperimentProtocol.TrainerProgressed live, double imagesPerSecond)
    {
        var t = live.Progress;
        var inv = CultureInfo.InvariantCulture;
        if (t.Round < 0)
        {
            // Retraining reports round -1 - epoch.
            var epochs = s.Counter("epoch") ?? s.Counter("retrain_epoch");
            return string.Create(inv, $"{s.Phase,-9} epoch {-t.Round}/{epochs?.Total ?? 0} (slot {t.Slot})  step {t.Step}  loss {t.Loss:F3}  {t.Images / Math.Max(t.Seconds, 1e-9):F0} img/s  ({live.Device})");
        }
        var round = s.Counter("round");
        var eta = "";
        if (round is { Total: > 0 } r && imagesPerSecond > 0 && s.Figures.TryGetValue("images_trained", out var done) && r.Done > 0)
        {
            var perRound = done / r.Done;
            var left = TimeSpan.FromSeconds(Math.Max(0, (r.Total - r.Done) * perRound - 0) / imagesPerSecond);
            eta = $"  ETA {(int)left.TotalMinutes}m{left.Seconds:00}s";
        }
        var epoch = s.Counter("epoch") is { Total: > 0 } ep ? string.Create(inv, $"  epoch {Math.Min(ep.Done + 1, ep.Total)}/{ep.Total}") : "";
        var cell = s.Current is { } c ? "  cell " + c : "";
        return string.Create(inv, $"{s.Phase,-9} round {(round?.Done ?? 0) + 1}/{round?.Total ?? 0}{epoch}  step {t.Step} (slot {t.Slot})  loss {t.Loss:F3}  {imagesPerSecond:F0} img/s{eta}{cell}");
    }

    internal static string PlanLine(PlanStatus s, bool phase = true)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        if (phase) sb.Append(CultureInfo.InvariantCulture, $"{s.Phase,-9}");
        foreach (var c in s.Counters)
            if (c.Total > 0) sb.Append(inv, $" {c.Name.Replace('_', ' ')} {c.Done}/{c.Total}");
        foreach (var (k, v) in s.Figures)
        {
            if (k == "images_trained") continue;
            sb.Append(' ').Append(k.Replace('_', ' ')).Append(' ');
            sb.Append(k.Contains("accuracy") || k is "mean_reward" or "baseline" ? v.ToString("P1", inv) : v.ToString("G4", inv));
        }
        if (s.Ranking.Length > 0) sb.Append(inv, $"  best {s.Ranking[0].Rollout.Id}");
        else if (s.Current is { } current) sb.Append("  cell ").Append(current);
        return sb.ToString();
    }
}
