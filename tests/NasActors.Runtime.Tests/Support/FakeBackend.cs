using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;

namespace NasActors.Runtime.Tests.Support;

/// <summary>One call into the fake: which operation, on which thread.</summary>
public sealed record FakeCall(string Op, string Device, int ThreadId, string? ThreadName);

/// <summary>
/// Deterministic stand-in for the Torch backend: a checkpoint is the hash of the inputs that produced it, and a
/// score is a function of the architecture (and split) alone. Every call is recorded with its thread; an optional
/// <see cref="Hook"/> runs first and may block (honouring the token) or throw. Its backends offer the built-in
/// capabilities (<see cref="ISupernetTrainer"/>, <see cref="IArchitectureEvaluator"/>, <see cref="IRetrainer"/>) and,
/// unless <paramref name="policy"/> is false, an ENAS <see cref="IPolicyBackend"/> (a <see cref="FakePolicy"/>).
/// </summary>
public sealed class FakeBackendFactory(SearchSpace space, bool policy = true) : ITrainerBackendFactory
{
    public SearchSpace Space { get; } = space;

    /// <summary>The fake ENAS policies (one per backend, sharing this record of calls); null when backends have none.</summary>
    public FakePolicyFactory? Policies { get; } = policy ? new(space) : null;

    public ICostModel Costs { get; } = Spaces.CostsOf(space);

    public ConcurrentQueue<FakeCall> Calls { get; } = new();
    public ConcurrentQueue<FakeBackend> Created { get; } = new();

    /// <summary>Runs at the start of every operation ("create", "train", "merge", "score", "reward", "retrain", "dispose").</summary>
    public Action<string, CancellationToken>? Hook { get; set; }

    public int Count(string op) => Calls.Count(c => c.Op == op);

    internal void Enter(string op, string device, CancellationToken ct)
    {
        Calls.Enqueue(new FakeCall(op, device, Environment.CurrentManagedThreadId, Thread.CurrentThread.Name));
        Hook?.Invoke(op, ct);
    }

    public ITrainerBackend Create(string device)
    {
        Enter("create", device, CancellationToken.None);
        var b = new FakeBackend(this, device);
        Created.Enqueue(b);
        return b;
    }

    public static string Hash(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)))[..16];

    public static string SliceCheckpoint(SupernetSlice s) =>
        Hash(string.Create(CultureInfo.InvariantCulture, $"slice|{s.FromCheckpoint ?? "init"}|{s.Round}|{s.Slot}|{s.Slots}|{s.FirstStep}|{s.Steps}{(s.Policy is null ? "" : "|policy " + s.Policy)}"));

    public static string MergeCheckpoint(IEnumerable<string> checkpoints) => Hash("merge|" + string.Join(",", checkpoints));

    /// <summary>ENAS reward: the validation score, a little noisier per minibatch.</summary>
    public static Metrics RewardOf(Architecture a, long batch)
    {
        var m = ScoreOf(a, EvalSplit.Validation);
        return m with { Accuracy = m.Accuracy * (0.9 + 0.1 * ((batch * 7919) % 11) / 10.0) };
    }

    /// <summary>Retrained from scratch: a little better than the shared-weight test score, more so with more epochs.</summary>
    public static Metrics RetrainOf(Architecture a, long steps)
    {
        var m = ScoreOf(a, EvalSplit.Test);
        return m with { Accuracy = m.Accuracy + (1 - m.Accuracy) * steps / (steps + 10.0) };
    }

    /// <summary>Accuracy in [0,1) from the architecture's hash; the test split scores slightly lower.</summary>
    public static Metrics ScoreOf(Architecture a, EvalSplit split)
    {
        var acc = ulong.Parse(a.Hash[..13], NumberStyles.HexNumber, CultureInfo.InvariantCulture) / (double)(1UL << 52);
        if (split == EvalSplit.Test) acc *= 0.99;
        return new Metrics(acc, 1 - acc, 1000 + a.Choices.Count, 10 + a.Choices.Count);
    }
}

public sealed class FakeBackend(FakeBackendFactory factory, string device) : ITrainerBackend, ISupernetTrainer, IArchitectureEvaluator, IRetrainer
{
    private IPolicyBackend? _policy;

    public string Device { get; } = device;
    public bool Disposed { get; private set; }
    public int? DisposeThreadId { get; private set; }

    /// <summary>The built-in capabilities are this backend's own; the policy is the factory's fake, if it has one.</summary>
    public T? Capability<T>() where T : class =>
        typeof(T) == typeof(IPolicyBackend) ? (T?)(object?)(factory.Policies is { } p ? _policy ??= p.CreatePolicy() : null) : this as T;

    public SliceResult TrainSlice(SupernetSlice slice, Action<TrainProgress> progress, CancellationToken ct)
    {
        progress(new TrainProgress(slice.Round, slice.Slot, slice.FirstStep, 32, 2.0, 0.001));
        factory.Enter("train", Device, ct);
        progress(new TrainProgress(slice.Round, slice.Slot, slice.FirstStep + slice.Steps - 1, slice.Steps * 32, 1.0, 0.002));
        return new SliceResult(FakeBackendFactory.SliceCheckpoint(slice), 1.0 / (slice.Round + 2), 0.5, slice.Steps * 32, 0.002);
    }

    public string Merge(ImmutableArray<string> checkpoints, CancellationToken ct)
    {
        factory.Enter("merge", Device, ct);
        return FakeBackendFactory.MergeCheckpoint(checkpoints);
    }

    public Metrics Score(Architecture architecture, string checkpoint, EvalSplit split, CancellationToken ct)
    {
        factory.Enter("score", Device, ct);
        return FakeBackendFactory.ScoreOf(architecture, split);
    }

    public Metrics ScoreMinibatch(Architecture architecture, string checkpoint, long batch, int images, CancellationToken ct)
    {
        factory.Enter("reward", Device, ct);
        return FakeBackendFactory.RewardOf(architecture, batch);
    }

    public SliceResult TrainEpoch(Architecture architecture, NasActors.Core.OneShot.RetrainSettings settings, int epoch, int round, int slot, string? fromCheckpoint,
        Action<TrainProgress> progress, CancellationToken ct)
    {
        progress(new TrainProgress(-1 - epoch, slot, epoch, 32, 1.0, 0.001));
        factory.Enter("retrain", Device, ct);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"retrain/{architecture.CanonicalKey}/{epoch}/{round}/{slot}/{fromCheckpoint}")));
        return new SliceResult(hash, 1.0 / (epoch + 1), 0.5, settings.BatchSize, 0.001);
    }

    string IRetrainer.Merge(ImmutableArray<string> checkpoints, CancellationToken ct)
    {
        factory.Enter("retrain-merge", Device, ct);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("retrain-merge/" + string.Join(",", checkpoints))));
    }

    public TrainedModel Test(Architecture architecture, NasActors.Core.OneShot.RetrainSettings settings, string checkpoint, CancellationToken ct)
    {
        factory.Enter("retrain-test", Device, ct);
        return new TrainedModel(FakeBackendFactory.RetrainOf(architecture, settings.Epochs), "weights-" + checkpoint[..16]);
    }

    public void Dispose()
    {
        DisposeThreadId = Environment.CurrentManagedThreadId;
        Disposed = true;
        _policy?.Dispose();
        factory.Enter("dispose", Device, CancellationToken.None);
    }
}
