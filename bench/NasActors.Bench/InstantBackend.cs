using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;

namespace NasActors.Bench;

/// <summary>
/// A backend of fixed, tiny cost: results are hashes of the inputs. It measures the runtime (actors, journal),
/// not the 2 CPU cores.
/// </summary>
internal sealed class InstantBackendFactory(SearchSpace space, CostTable costs, TimeSpan scoreCost) : ITrainerBackendFactory
{
    public SearchSpace Space => space;
    public CostTable Costs => costs;
    public TimeSpan ScoreCost => scoreCost;
    public TaskCompletionSource<DateTime> FirstWork { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ITrainerBackend Create(string device) => new Backend(this, device);

    private static string Hash(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    private sealed class Backend(InstantBackendFactory owner, string device) : ITrainerBackend
    {
        public string Device => device;

        public SliceResult TrainSlice(SupernetSlice slice, Action<TrainProgress> progress, CancellationToken ct)
        {
            owner.FirstWork.TrySetResult(DateTime.UtcNow);
            return new SliceResult(Hash(slice.ToString()), 1, 0.5, slice.Steps, 0);
        }

        public string Merge(ImmutableArray<string> checkpoints, CancellationToken ct)
        {
            owner.FirstWork.TrySetResult(DateTime.UtcNow);
            return Hash(string.Join(",", checkpoints));
        }

        public Metrics Score(Architecture architecture, string checkpoint, EvalSplit split, CancellationToken ct)
        {
            owner.FirstWork.TrySetResult(DateTime.UtcNow);
            if (owner.ScoreCost > TimeSpan.Zero) Thread.Sleep(owner.ScoreCost);
            var h = SHA256.HashData(Encoding.UTF8.GetBytes(architecture.CanonicalKey + checkpoint));
            return new Metrics(BitConverter.ToUInt16(h) / 65536.0, 1, 0, 0);
        }

        public Metrics ScoreMinibatch(Architecture architecture, string checkpoint, long batch, CancellationToken ct) =>
            Score(architecture, checkpoint + "/" + batch, EvalSplit.Validation, ct);

        public Metrics Retrain(Architecture architecture, long steps, Action<TrainProgress> progress, CancellationToken ct) =>
            Score(architecture, "retrain/" + steps, EvalSplit.Test, ct);

        public void Dispose() { }
    }
}
