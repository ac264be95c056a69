using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Training;

/// <summary>
/// A backend whose every work item takes a fixed wall-clock time (<paramref name="cost"/>, sleeping, not computing)
/// and whose results are hashes of the inputs: deterministic, and independent of the machine's cores. Benchmarks and
/// cluster tests use it to measure the runtime (actors, remoting, journal) rather than the CPU
/// (<c>nas.trainers.backend = synthetic</c>).
/// </summary>
public sealed class SyntheticBackendFactory(SearchSpace space, ICostModel costs, TimeSpan cost) : ITrainerBackendFactory
{
    public SearchSpace Space => space;
    public ICostModel Costs => costs;
    public TimeSpan Cost => cost;

    /// <summary>Completes when the first work item starts (benchmarks measure time to first work with it).</summary>
    public TaskCompletionSource<DateTime> FirstWork { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ITrainerBackend Create(string device) => new Backend(this, device);

    private static string Hash(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    private void Work(CancellationToken ct)
    {
        FirstWork.TrySetResult(DateTime.UtcNow);
        if (cost > TimeSpan.Zero) ct.WaitHandle.WaitOne(cost);
        ct.ThrowIfCancellationRequested();
    }

    private sealed class Backend(SyntheticBackendFactory owner, string device) : ITrainerBackend, ISupernetTrainer, IArchitectureEvaluator, IRetrainer
    {
        public string Device => device;

        public SliceResult TrainSlice(SupernetSlice slice, Action<TrainProgress> progress, CancellationToken ct)
        {
            owner.Work(ct);
            return new SliceResult(Hash(slice.ToString()), 1, 0.5, slice.Steps, owner.Cost.TotalSeconds);
        }

        public string Merge(ImmutableArray<string> checkpoints, CancellationToken ct)
        {
            owner.Work(ct);
            return Hash(string.Join(",", checkpoints));
        }

        public Metrics Score(Architecture architecture, string checkpoint, EvalSplit split, CancellationToken ct)
        {
            owner.Work(ct);
            var h = SHA256.HashData(Encoding.UTF8.GetBytes(architecture.CanonicalKey + checkpoint + split));
            var c = owner.Costs.Cost(architecture);
            return new Metrics(BitConverter.ToUInt16(h) / 65536.0, 1, c.Flops, c.Params);
        }

        public Metrics ScoreMinibatch(Architecture architecture, string checkpoint, long batch, int images, CancellationToken ct) =>
            Score(architecture, checkpoint + "/" + batch, EvalSplit.Validation, ct);

        public SliceResult TrainEpoch(Architecture architecture, OneShot.RetrainSettings settings, int epoch, int round, int slot, string? fromCheckpoint,
            Action<TrainProgress> progress, CancellationToken ct)
        {
            owner.Work(ct);
            return new SliceResult(Hash($"{architecture.CanonicalKey}/{settings}/{epoch}/{round}/{slot}/{fromCheckpoint}"), 1, 0.5, settings.BatchSize, owner.Cost.TotalSeconds);
        }

        public TrainedModel Test(Architecture architecture, OneShot.RetrainSettings settings, string checkpoint, CancellationToken ct) =>
            new(Score(architecture, "retrain/" + checkpoint, EvalSplit.Test, ct), Hash("weights/" + checkpoint));

        public void Dispose() { }
    }
}
