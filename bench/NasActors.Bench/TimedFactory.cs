using System.Collections.Immutable;
using System.Diagnostics;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;

namespace NasActors.Bench;

/// <summary>Wraps a real factory and notes when the first training step begins, so start-up is timed apart.</summary>
internal sealed class TimedFactory(ITrainerBackendFactory inner, Stopwatch clock) : ITrainerBackendFactory
{
    private long _firstTicks = -1;
    public SearchSpace Space => inner.Space;
    public CostTable Costs => inner.Costs;

    /// <summary>Seconds on <c>clock</c> when the first slice started, or -1.</summary>
    public double FirstWorkSeconds => Interlocked.Read(ref _firstTicks) < 0 ? -1 : TimeSpan.FromTicks(_firstTicks).TotalSeconds;

    public ITrainerBackend Create(string device) => new Backend(this, inner.Create(device));

    private sealed class Backend(TimedFactory owner, ITrainerBackend inner) : ITrainerBackend
    {
        public string Device => inner.Device;

        public SliceResult TrainSlice(SupernetSlice slice, Action<TrainProgress> progress, CancellationToken ct)
        {
            Interlocked.CompareExchange(ref owner._firstTicks, owner.Clock.Elapsed.Ticks, -1);
            return inner.TrainSlice(slice, progress, ct);
        }

        public string Merge(ImmutableArray<string> checkpoints, CancellationToken ct) => inner.Merge(checkpoints, ct);
        public Metrics Score(Architecture architecture, string checkpoint, EvalSplit split, CancellationToken ct) => inner.Score(architecture, checkpoint, split, ct);
        public Metrics ScoreMinibatch(Architecture architecture, string checkpoint, long batch, CancellationToken ct) => inner.ScoreMinibatch(architecture, checkpoint, batch, ct);
        public Metrics Retrain(Architecture architecture, long steps, Action<TrainProgress> progress, CancellationToken ct) => inner.Retrain(architecture, steps, progress, ct);
        public void Dispose() => inner.Dispose();
    }

    private Stopwatch Clock => clock;
}
