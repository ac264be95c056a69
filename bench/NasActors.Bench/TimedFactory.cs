using System.Collections.Immutable;
using System.Diagnostics;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;

namespace NasActors.Bench;

/// <summary>
/// Wraps a real factory and notes when the first piece of work of any kind starts (a trainer's slice, merge, score,
/// reward minibatch or retrain, or the ENAS controller's sampling or update), and which it was, so start-up is timed
/// apart from the work. It forwards <see cref="IPolicyBackendFactory"/> when the inner factory is one: the host runs
/// the ENAS controller only with a factory that implements it.
/// </summary>
internal sealed class TimedFactory(ITrainerBackendFactory inner, Stopwatch clock) : ITrainerBackendFactory, IPolicyBackendFactory
{
    private long _firstTicks = -1;
    private string? _firstKind;

    public SearchSpace Space => inner.Space;
    public CostTable Costs => inner.Costs;

    /// <summary>Seconds on <c>clock</c> when the first work started, or -1.</summary>
    public double FirstWorkSeconds => Interlocked.Read(ref _firstTicks) < 0 ? -1 : TimeSpan.FromTicks(_firstTicks).TotalSeconds;

    /// <summary>What the first work was (e.g. "TrainSlice"), or null.</summary>
    public string? FirstWorkKind => Volatile.Read(ref _firstKind);

    public TaskCompletionSource FirstWork { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The default interface method would do nothing: forward, so data and cost table load before the clock matters.
    public void Validate(IEnumerable<string> devices) => inner.Validate(devices);

    public ITrainerBackend Create(string device) => new Backend(this, inner.Create(device));

    public IPolicyBackend CreatePolicy() => new Policy(this, (inner as IPolicyBackendFactory
        ?? throw new InvalidOperationException($"{inner.GetType().Name} has no ENAS policy")).CreatePolicy());

    private void Note(string kind)
    {
        if (Interlocked.CompareExchange(ref _firstTicks, clock.Elapsed.Ticks, -1) != -1) return;
        Volatile.Write(ref _firstKind, kind);
        FirstWork.TrySetResult();
    }

    private sealed class Backend(TimedFactory owner, ITrainerBackend inner) : ITrainerBackend
    {
        public string Device => inner.Device;

        public SliceResult TrainSlice(SupernetSlice slice, Action<TrainProgress> progress, CancellationToken ct)
        {
            owner.Note("TrainSlice");
            return inner.TrainSlice(slice, progress, ct);
        }

        public string Merge(ImmutableArray<string> checkpoints, CancellationToken ct)
        {
            owner.Note("Merge");
            return inner.Merge(checkpoints, ct);
        }

        public Metrics Score(Architecture architecture, string checkpoint, EvalSplit split, CancellationToken ct)
        {
            owner.Note("Score " + split);
            return inner.Score(architecture, checkpoint, split, ct);
        }

        public Metrics ScoreMinibatch(Architecture architecture, string checkpoint, long batch, CancellationToken ct)
        {
            owner.Note("ScoreMinibatch");
            return inner.ScoreMinibatch(architecture, checkpoint, batch, ct);
        }

        public Metrics Retrain(Architecture architecture, long steps, Action<TrainProgress> progress, CancellationToken ct)
        {
            owner.Note("Retrain");
            return inner.Retrain(architecture, steps, progress, ct);
        }

        public void Dispose() => inner.Dispose();
    }

    private sealed class Policy(TimedFactory owner, IPolicyBackend inner) : IPolicyBackend
    {
        public string Initialize(PolicyMeta meta) => inner.Initialize(meta);

        public ImmutableArray<Architecture> Sample(string policy, int count, Xoshiro256 rng)
        {
            owner.Note("policy Sample");
            return inner.Sample(policy, count, rng);
        }

        public PolicyUpdate Update(string policy, ImmutableArray<Architecture> samples, ImmutableArray<double> advantages, PolicyMeta meta)
        {
            owner.Note("policy Update");
            return inner.Update(policy, samples, advantages, meta);
        }

        public PolicyMeta ReadMeta(string policy) => inner.ReadMeta(policy);
        public ImmutableArray<double> Probabilities(string policy, Architecture prefix, string choiceKey) => inner.Probabilities(policy, prefix, choiceKey);
        public void Dispose() => inner.Dispose();
    }
}
