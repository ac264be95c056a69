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

    public void Report(ExperimentProtocol.Progressed p) => Report(p.Line);

    public void Report(string line)
    {
        lock (_gate)
        {
            var now = _clock.Elapsed.TotalSeconds;
            var chatty = line.Contains(" step ", StringComparison.Ordinal);
            if (chatty && now - _lastStep < 2) return;
            if (line == _lastLine) return;
            if (chatty) _lastStep = now;
            _lastLine = line;
            Console.WriteLine($"[{(int)now / 60:00}:{(int)now % 60:00}] {line}");
        }
    }
}
