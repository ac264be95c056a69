using System.Diagnostics;
using NasActors.Runtime.Experiment;

namespace NasActors.Cli;

/// <summary>Prints progress lines, at most one every two seconds for the chatty supernet steps.</summary>
internal sealed class ConsoleProgress
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _gate = new();
    private double _lastStep = double.NegativeInfinity;
    private string? _lastLine;

    public void Report(ExperimentProtocol.Progressed p)
    {
        lock (_gate)
        {
            var now = _clock.Elapsed.TotalSeconds;
            var chatty = p.Line.Contains(" step ", StringComparison.Ordinal);
            if (chatty && now - _lastStep < 2) return;
            if (p.Line == _lastLine) return;
            if (chatty) _lastStep = now;
            _lastLine = p.Line;
            Console.WriteLine($"[{(int)now / 60:00}:{(int)now % 60:00}] {p.Line}");
        }
    }
}
