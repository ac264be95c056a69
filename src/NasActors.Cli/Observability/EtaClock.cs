using NasActors.Core.Engine;

namespace NasActors.Cli.Observability;

/// <summary>
/// Estimates the time left for the counter that is moving (the plan's first unfinished counter), from its rate since
/// this process first saw it move: strategy-neutral, and right after a resume too.
/// </summary>
internal sealed class EtaClock
{
    private string? _counter;
    private long _doneAtStart;
    private TimeSpan _startedAt;

    public TimeSpan? Estimate(PlanStatus s, TimeSpan now)
    {
        var active = s.Counters.FirstOrDefault(c => c.Total > 0 && c.Done < c.Total);
        if (active is null) return null;
        if (active.Name != _counter)
        {
            (_counter, _doneAtStart, _startedAt) = (active.Name, active.Done, now);
            return null;
        }
        var done = active.Done - _doneAtStart;
        var secs = (now - _startedAt).TotalSeconds;
        if (done <= 0 || secs <= 0) return null;
        return TimeSpan.FromSeconds((active.Total - active.Done) * secs / done);
    }
}
