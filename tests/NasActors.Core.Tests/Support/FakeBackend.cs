using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.SearchSpaces.Darts;
using NasActors.Core.Strategies.Darts;
using NasActors.Core.Training;

namespace NasActors.Core.Tests.Support;

/// <summary>
/// A deterministic stand-in for a trainer's device: every capability the built-in work items ask for, with results that
/// are hashes of the inputs. Slices and merges yield checkpoint hashes of what they were made from, scores are
/// <see cref="SearchDriver.HashScore(Architecture)"/> (plus the cost table's FLOPs/params when one is given), the policy
/// samples uniformly from the space with the RNG it is handed, DARTS logits are hashes of the checkpoint. Counts every
/// call by kind.
/// </summary>
public sealed class FakeBackend(SearchSpace space, CostTable? costs = null)
    : ITrainerBackend, ISupernetTrainer, IArchitectureEvaluator, IRetrainer, IPolicyBackend, IDartsTrainer
{
    public string Device => "fake";

    public Dictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    private void Count(string kind) => Calls[kind] = Calls.GetValueOrDefault(kind) + 1;

    public int CallsOf(string kind) => Calls.GetValueOrDefault(kind);

    public static string Hash(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)))[..24];

    private Metrics Measure(Architecture a, double accuracy)
    {
        var c = costs?.Cost(a);
        return new Metrics(accuracy, 1 - accuracy, c?.Flops ?? 0, c?.Params ?? 0);
    }

    public SliceResult TrainSlice(SupernetSlice slice, Action<TrainProgress> progress, CancellationToken ct)
    {
        Count("slice");
        var loss = 2.0 / (1 + slice.Round) + slice.Slot * 0.01;
        return new SliceResult("ckpt-" + Hash("slice|" + slice), loss, 1 - loss / 3, slice.Steps * 8, 0.0);
    }

    public SliceResult TrainMixedSlice(SupernetSlice slice, Action<TrainProgress> progress, CancellationToken ct)
    {
        Count("mixed-slice");
        var loss = 2.0 / (1 + slice.Round) + slice.Slot * 0.01;
        return new SliceResult("ckpt-" + Hash("mixed|" + slice), loss, 1 - loss / 3, slice.Steps * 8, 0.0);
    }

    /// <summary>Logits hashed from the checkpoint: every checkpoint derives its own, reproducible cell.</summary>
    public ImmutableDictionary<string, ImmutableArray<ImmutableArray<double>>> ReadLogits(string checkpoint, CancellationToken ct)
    {
        Count("read-logits");
        return DartsSpace.CellTypes.ToImmutableDictionary(cell => cell, cell => Enumerable.Range(0, DartsSpace.EdgeCount)
            .Select(e => DartsSpace.SearchOps.Select(op => Convert.ToInt32(Hash($"{checkpoint}|{cell}|{e}|{op}")[..6], 16) / (double)0xFFFFFF).ToImmutableArray())
            .ToImmutableArray());
    }

    public string Merge(ImmutableArray<string> checkpoints, CancellationToken ct)
    {
        Count("merge");
        return "merged-" + Hash("merge|" + string.Join(",", checkpoints));
    }

    public Metrics Score(Architecture architecture, string checkpoint, EvalSplit split, CancellationToken ct)
    {
        Count(split == EvalSplit.Test ? "test" : "score");
        return Measure(architecture, SearchDriver.HashScore(architecture).Accuracy);
    }

    public Metrics ScoreMinibatch(Architecture architecture, string checkpoint, long batch, int images, CancellationToken ct)
    {
        Count("reward");
        return Measure(architecture, SearchDriver.HashScore(architecture).Accuracy);
    }

    public SliceResult TrainEpoch(Architecture architecture, RetrainSettings settings, int epoch, int round, int slot, string? fromCheckpoint,
        Action<TrainProgress> progress, CancellationToken ct)
    {
        Count("retrain");
        return new SliceResult(FakeHash($"retrain/{architecture.CanonicalKey}/{epoch}/{round}/{slot}/{fromCheckpoint}"), 1.0 / (epoch + 1), 0.5, settings.BatchSize, 0);
    }

    string IRetrainer.Merge(ImmutableArray<string> checkpoints, CancellationToken ct)
    {
        Count("retrain-merge");
        return FakeHash("retrain-merge/" + string.Join(",", checkpoints));
    }

    public TrainedModel Test(Architecture architecture, RetrainSettings settings, string checkpoint, CancellationToken ct)
    {
        Count("retrain-test");
        return new TrainedModel(Measure(architecture, SearchDriver.HashScore(architecture).Accuracy * 0.9 + 0.05), FakeHash("weights/" + checkpoint));
    }

    private static string FakeHash(string s) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(s)));

    public string Initialize(PolicyMeta meta)
    {
        Count("policy-init");
        return "policy-" + Hash("init|" + meta);
    }

    public ImmutableArray<Architecture> Sample(string policy, int count, Xoshiro256 rng)
    {
        Count("policy-sample");
        return [.. Enumerable.Range(0, count).Select(_ => space.Sample(rng))];
    }

    public PolicyUpdate Update(string policy, ImmutableArray<Architecture> samples, ImmutableArray<double> advantages, PolicyMeta meta)
    {
        Count("policy-update");
        var text = string.Join("|", policy, meta, string.Join(";", samples), string.Join(";", advantages.Select(a => a.ToString("R", CultureInfo.InvariantCulture))));
        return new PolicyUpdate("policy-" + Hash(text), -advantages.Average(), 1.0 / (1 + meta.Step), 0.5);
    }

    public PolicyMeta ReadMeta(string policy) => throw new NotSupportedException("the fake policy keeps no meta");

    public ImmutableArray<double> Probabilities(string policy, Architecture prefix, string choiceKey) =>
        [.. space[choiceKey].Candidates.Select(_ => 1.0 / space[choiceKey].Candidates.Length)];

    public void Dispose() { }
}
