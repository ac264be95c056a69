using System.Diagnostics;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;

namespace NasActors.Bench;

/// <summary>
/// Wraps any factory and notes when the first piece of work of any kind starts, and what it needed, so start-up is
/// timed apart from the work. Work items ask the backend for the capability they need (<see cref="ISupernetTrainer"/>,
/// <see cref="IArchitectureEvaluator"/>, <see cref="IPolicyBackend"/>, <see cref="IRetrainer"/>) right before they run,
/// so forwarding <see cref="ITrainerBackend.Capability{T}"/> is all the wrapping there is: whatever the inner backend
/// offers (a controller policy included) stays available.
/// </summary>
internal sealed class TimedFactory(ITrainerBackendFactory inner, Stopwatch clock) : ITrainerBackendFactory
{
    private long _firstTicks = -1;
    private string? _firstKind;

    public SearchSpace Space => inner.Space;
    public ICostModel Costs => inner.Costs;

    /// <summary>Seconds on <c>clock</c> when the first work started, or -1.</summary>
    public double FirstWorkSeconds => Interlocked.Read(ref _firstTicks) < 0 ? -1 : TimeSpan.FromTicks(_firstTicks).TotalSeconds;

    /// <summary>What the first work needed (e.g. "supernet training"), or null.</summary>
    public string? FirstWorkKind => Volatile.Read(ref _firstKind);

    public TaskCompletionSource FirstWork { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The default interface method would do nothing: forward, so data and cost table load before the clock matters.
    public void Validate(IEnumerable<string> devices) => inner.Validate(devices);

    public ITrainerBackend Create(string device) => new Backend(this, inner.Create(device));

    private void Note(Type capability)
    {
        if (Interlocked.CompareExchange(ref _firstTicks, clock.Elapsed.Ticks, -1) != -1) return;
        Volatile.Write(ref _firstKind, capability == typeof(ISupernetTrainer) ? "supernet training"
            : capability == typeof(IArchitectureEvaluator) ? "scoring"
            : capability == typeof(IPolicyBackend) ? "controller policy"
            : capability == typeof(IRetrainer) ? "retraining"
            : capability.Name);
        FirstWork.TrySetResult();
    }

    private sealed class Backend(TimedFactory owner, ITrainerBackend inner) : ITrainerBackend
    {
        public string Device => inner.Device;

        public T? Capability<T>() where T : class
        {
            var c = inner.Capability<T>();
            if (c is not null) owner.Note(typeof(T));
            return c;
        }

        public void Dispose() => inner.Dispose();
    }
}
