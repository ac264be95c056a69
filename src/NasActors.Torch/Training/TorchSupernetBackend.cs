using System.Collections.Immutable;
using System.Diagnostics;
using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies.Darts;
using NasActors.Core.Training;
using NasActors.Torch.Data;
using NasActors.Torch.Mutables;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>
/// Single-path supernet training and candidate scoring on one device, for any supernet module (SPOS, ENAS micro).
/// Thread-confined (one trainer thread). Every result is a pure function of the arguments, the specs and the data, for
/// a fixed intra-op thread count: weights are initialised from the seed in C#, paths and batches come from seeded
/// xoshiro256** streams, and the optimizer is a hand-written SGD whose momentum buffers travel in the checkpoint.
/// A slice without a policy trains a uniformly sampled path per step (SPOS); with a policy, the policy samples one path
/// per block of pathEvery steps (ENAS).
/// Checkpoint tensors: "model/&lt;param or buffer&gt;", "momentum/&lt;param&gt;", "step" (the next global step); with DARTS
/// settings also the architecture logits and their Adam moments (TorchSupernetBackend.Mixed.cs).
/// </summary>
internal sealed partial class TorchSupernetBackend : ITrainerBackend, ISupernetTrainer, IArchitectureEvaluator, IDartsTrainer
{
    private const double BnMomentum = 0.1; // PyTorch's default, used while training the supernet
    private const int ProgressEvery = 10;

    private readonly SearchSpace _space;
    private readonly ICostModel _costs;
    private readonly TrainSpec _train;
    private readonly DatasetSplits _data;
    private readonly CheckpointStore _store;
    private readonly Device _device;
    private readonly ModelSpace _model;
    private readonly nn.Module<Tensor, Tensor> _net;
    private readonly (string Name, Parameter P)[] _params;
    private readonly (string Name, Tensor T)[] _buffers;
    private readonly Tensor[] _momentum;
    private readonly BatchNorm[] _bns; // 1d, 2d and 3d: a user's model may have any
    private readonly BatchSchedule _schedule;
    private readonly Tensor _step;
    private readonly Func<IPolicyBackend>? _createPolicy;
    private IPolicyBackend? _policy;
    private readonly Func<TorchRetrainer>? _createRetrainer;
    private TorchRetrainer? _retrainer;
    private long[]? _rewardOrder;
    private (string Policy, long Block, int Slot, Architecture Path)? _policyPath;
    private (string Hash, IReadOnlyList<CheckpointTensor> Tensors)? _cached;
    private string? _live; // the checkpoint the module's state equals right now, if any

    public string Device { get; }

    /// <param name="model">The supernet read as a space; owned (moved to the device, disposed) by this backend.</param>
    /// <param name="createPolicy">Builds the controller policy (the <see cref="IPolicyBackend"/> capability, which also samples
    /// the paths of slices with a policy); called lazily on the trainer thread, disposed with this backend. Null: no policy.</param>
    /// <param name="darts">DARTS's settings when the strategy trains mixed ops (the <see cref="IDartsTrainer"/> capability); null: none.</param>
    public TorchSupernetBackend(string deviceName, Device device, ModelSpace model,
        ICostModel costs, TrainSpec train, DatasetSplits data, CheckpointStore store, Func<IPolicyBackend>? createPolicy = null,
        Func<TorchRetrainer>? createRetrainer = null,
        DartsSettings? darts = null)
    {
        try
        {
            _schedule = new BatchSchedule(data.Train, train.BatchSize, train.Seed);
            if (darts is not null) _mixed = new MixedState(model.Model, data.Train, train, darts, device);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        Device = deviceName;
        (_device, _model, _net, _train, _space, _costs, _data, _store) = (device, model, model.Model, train, model.Space, costs, data, store);
        _createPolicy = createPolicy;
        _createRetrainer = createRetrainer;
        if (device.type != DeviceType.CPU) _net.to(device);
        _params = [.. _net.named_parameters()];
        _buffers = [.. _net.named_buffers()];
        _bns = [.. _net.modules().OfType<BatchNorm>()];
        _momentum = [.. _params.Select(p => torch.zeros_like(p.P).DetachFromDisposeScope())];
        _step = torch.zeros(1, ScalarType.Int64).DetachFromDisposeScope();
    }

    /// <summary>
    /// Shared-weight training and scoring; the controller policy and the retrainer (its own network, built on first use)
    /// when this backend was given them.
    /// </summary>
    public T? Capability<T>() where T : class =>
        typeof(T) == typeof(IPolicyBackend) ? (_createPolicy is null ? null : (T)(_policy ??= _createPolicy()))
        : typeof(T) == typeof(IDartsTrainer) && _mixed is null ? null
        : typeof(T) == typeof(IRetrainer) ? (_createRetrainer is null ? null : (T)(object)(_retrainer ??= _createRetrainer()))
        : this as T;

    public SliceResult TrainSlice(SupernetSlice slice, Action<TrainProgress> progress, CancellationToken ct)
    {
        if (slice.PathEvery < 1) throw new ArgumentException($"invalid slice {slice}");
        if (slice.Policy is not null && _createPolicy is null)
            throw new NasUserException($"slice {slice.Round}/{slice.Slot} samples its paths from a controller policy, but this trainer backend was built without one (the strategy did not ask for a ControllerSpec); run it with the strategy that made it");
        return RunSlice(slice, ProgressEvery, progress, ct, t =>
        {
            // Outside the step's dispose scope: the policy (created lazily here) owns its tensors.
            var arch = Path(slice, t);
            using var scope = torch.NewDisposeScope();
            var (x, y) = ToDevice(Augmented(_schedule.TrainBatch(t * slice.Slots + slice.Slot), t, slice.Slot));
            _net.zero_grad(true);
            _model.Seed(Xoshiro256.Derive(_train.Seed, StreamTags.Dropout, 0, t, slice.Slot));
            var logits = _model.Forward(x, arch);
            var loss = nn.functional.cross_entropy(logits, y);
            loss.backward();
            SgdStep(LearningRate(t));
            return (loss.item<float>(), logits.argmax(1).eq(y).sum().item<long>(), (int)y.shape[0]);
        });
    }

    /// <summary>
    /// What every kind of slice shares (single-path and DARTS's mixed one): the state it starts from, its steps (each
    /// in its own dispose scope, on this thread) with their loss and accuracy, progress every <paramref name="progressEvery"/>
    /// steps, and the checkpoint it ends with.
    /// </summary>
    private SliceResult RunSlice(SupernetSlice slice, int progressEvery, Action<TrainProgress> progress, CancellationToken ct,
        Func<long, (float Loss, long Correct, int Images)> step)
    {
        if (slice.Slots < 1 || slice.Slot < 0 || slice.Slot >= slice.Slots || slice.Steps < 0 || slice.FirstStep < 0)
            throw new ArgumentException($"invalid slice {slice}");
        var clock = Stopwatch.StartNew();
        _live = null;
        if (slice.FromCheckpoint is null) InitFresh();
        else LoadState(slice.FromCheckpoint);
        _net.train();

        double lossSum = 0, windowLoss = 0;
        long correct = 0;
        int images = 0, window = 0;
        for (var i = 0; i < slice.Steps; i++)
        {
            ct.ThrowIfCancellationRequested();
            var t = slice.FirstStep + i;
            var (l, c, n) = step(t);
            lossSum += l;
            windowLoss += l;
            correct += c;
            images += n;
            window++;
            if (window == progressEvery || i == slice.Steps - 1)
            {
                progress(new TrainProgress(slice.Round, slice.Slot, t + 1, images, windowLoss / window, clock.Elapsed.TotalSeconds));
                (windowLoss, window) = (0, 0);
            }
        }
        _net.zero_grad(true); // gradients are not state; free them
        SetStep(slice.FirstStep + slice.Steps);
        var hash = _store.Write(CaptureState());
        return new SliceResult(hash, slice.Steps == 0 ? 0 : lossSum / slice.Steps, images == 0 ? 0 : (double)correct / images,
            images, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The path of global step <paramref name="t"/>: uniform from (seed, t, slot) without a policy (SPOS); else the
    /// policy's sample from (seed, PolicyPath, t / pathEvery, slot), one per block of pathEvery steps (ENAS).
    /// </summary>
    private Architecture Path(SupernetSlice slice, long t)
    {
        if (slice.Policy is null) return _space.Sample(Xoshiro256.FromSeed(Xoshiro256.Derive(_train.Seed, t, slice.Slot)));
        var block = t / slice.PathEvery;
        if (_policyPath is { } p && p.Policy == slice.Policy && p.Block == block && p.Slot == slice.Slot) return p.Path;
        _policy ??= _createPolicy!();
        var rng = Xoshiro256.FromSeed(Xoshiro256.Derive(_train.Seed, StreamTags.PolicyPath, block, slice.Slot));
        var path = _policy.Sample(slice.Policy, 1, rng)[0];
        _space.Validate(path);
        _policyPath = (slice.Policy, block, slice.Slot, path);
        return path;
    }

    public string Merge(ImmutableArray<string> checkpoints, CancellationToken ct)
    {
        if (checkpoints.IsDefaultOrEmpty) throw new ArgumentException("nothing to merge", nameof(checkpoints));
        if (checkpoints.Length == 1)
        {
            if (!_store.Contains(checkpoints[0])) _store.Load(checkpoints[0]); // throws the one-line missing/invalid error
            return checkpoints[0];
        }
        var loaded = new List<IReadOnlyList<CheckpointTensor>>(checkpoints.Length);
        foreach (var h in checkpoints)
        {
            ct.ThrowIfCancellationRequested();
            loaded.Add(_store.Load(h));
        }
        return _store.Write(CheckpointAverage.Mean(loaded, checkpoints));
    }

    public Metrics Score(Architecture architecture, string checkpoint, EvalSplit split, CancellationToken ct)
    {
        _space.Validate(architecture);
        var set = split == EvalSplit.Validation ? _data.Validation : _data.Test;
        var n = split == EvalSplit.Validation ? Math.Min(_train.ValidationImages, set.Count) : set.Count;
        if (n <= 0)
            throw new NasUserException(split == EvalSplit.Validation
                ? "no validation images to score candidates on: set nas.data.validation-size and the validation image count above 0"
                : "the test split is empty: check nas.data.directory");

        // Every candidate starts from the pristine checkpoint, so scores do not depend on what was scored before.
        _live = null;
        LoadState(checkpoint);
        Recalibrate(architecture, ct);

        _net.eval();
        double lossSum = 0;
        long correct = 0;
        using (torch.no_grad())
        {
            for (var start = 0; start < n; start += _train.EvalBatchSize)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var (x, y) = ToDevice(set.Range(start, Math.Min(_train.EvalBatchSize, n - start)));
                var logits = _model.Forward(x, architecture);
                lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
                correct += logits.argmax(1).eq(y).sum().item<long>();
            }
        }
        var cost = _costs.Cost(architecture);
        return new Metrics((double)correct / n, lossSum / n, cost.Flops, cost.Params);
    }

    /// <summary>
    /// ENAS's reward: one validation minibatch, BN normalising with that batch's own statistics (train mode) while the
    /// running statistics are saved and restored, so nothing of this call stays in the backend. Batch b is run
    /// (b mod count) of a fixed seeded permutation of the validation split cut into floor(n / rewardImages) runs.
    /// </summary>
    public Metrics ScoreMinibatch(Architecture architecture, string checkpoint, long batch, int images, CancellationToken ct)
    {
        _space.Validate(architecture);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(images, 1);
        var order = RewardOrder(images);
        var count = order.Length / images;
        var start = (int)(batch % count) * images;
        ct.ThrowIfCancellationRequested();
        if (_live != checkpoint)
        {
            _live = null;
            LoadState(checkpoint);
            _live = checkpoint;
        }

        double loss;
        long correct;
        var saved = SaveBnStatistics();
        try
        {
            _net.train();
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            var (x, y) = ToDevice(_data.Validation.Gather(order[start..(start + images)]));
            _model.Seed(Xoshiro256.Derive(_train.Seed, StreamTags.Dropout, StreamTags.RewardBatches, batch));
            var logits = _model.Forward(x, architecture);
            loss = nn.functional.cross_entropy(logits, y).item<float>();
            correct = logits.argmax(1).eq(y).sum().item<long>();
        }
        finally
        {
            RestoreBnStatistics(saved);
        }
        var cost = _costs.Cost(architecture);
        return new Metrics((double)correct / images, loss, cost.Flops, cost.Params);
    }

    /// <summary>A fixed seeded permutation of the validation split (it does not depend on the batch size).</summary>
    private long[] RewardOrder(int images)
    {
        var n = _data.Validation.Count;
        if (n < images)
            throw new NasUserException($"the validation split has {n} images, fewer than one reward minibatch of {images}: lower the strategy's reward-images or raise nas.data.validation-size");
        if (_rewardOrder is not null) return _rewardOrder;
        var perm = new long[n];
        for (var i = 0; i < n; i++) perm[i] = i;
        var rng = Xoshiro256.FromSeed(Xoshiro256.Derive(_train.Seed, StreamTags.RewardBatches));
        for (var i = n - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
        return _rewardOrder = perm;
    }

    private Tensor[] SaveBnStatistics()
    {
        using var noGrad = torch.no_grad();
        var saved = new Tensor[_buffers.Length];
        for (var i = 0; i < saved.Length; i++) saved[i] = _buffers[i].T.clone().DetachFromDisposeScope();
        return saved;
    }

    private void RestoreBnStatistics(Tensor[] saved)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        for (var i = 0; i < saved.Length; i++)
        {
            _buffers[i].T.copy_(saved[i]);
            saved[i].Dispose();
        }
    }

    /// <summary>
    /// SPOS BN recalibration: reset the running statistics and re-estimate them as a cumulative average (momentum 1/k
    /// at batch k, i.e. PyTorch's momentum=None) over the first BnRecalibrationBatches batches of a fixed permutation.
    /// With 0 batches the supernet's own running statistics are kept.
    /// </summary>
    private void Recalibrate(Architecture architecture, CancellationToken ct)
    {
        if (_train.BnRecalibrationBatches == 0) return;
        foreach (var bn in _bns) WeightInit.ResetStatistics(bn);
        _net.train();
        try
        {
            using var noGrad = torch.no_grad();
            for (var k = 0; k < _train.BnRecalibrationBatches; k++)
            {
                ct.ThrowIfCancellationRequested();
                foreach (var bn in _bns) bn.momentum = 1.0 / (k + 1);
                using var scope = torch.NewDisposeScope();
                var (x, _) = ToDevice(_schedule.RecalibrationBatch(k));
                _model.Seed(Xoshiro256.Derive(_train.Seed, StreamTags.Dropout, StreamTags.Recalibration, k));
                _model.Forward(x, architecture);
            }
        }
        finally
        {
            foreach (var bn in _bns) bn.momentum = BnMomentum;
        }
    }

    /// <summary>A training batch augmented from the stream of (seed, step, slot) when the data asks for it (CIFAR-10).</summary>
    private (Tensor X, Tensor Y) Augmented((Tensor X, Tensor Y) batch, long step, int slot) =>
        _data.Augment is { } a ? (a.Apply(batch.X, CifarAugment.Stream(_train.Seed, step, slot)), batch.Y) : batch;

    /// <summary>SPOS's schedule: linear decay from LearningRate at step 0 to 0 at TotalSteps (exact arithmetic only).</summary>
    private double LearningRate(long step) =>
        _train.LearningRate * Math.Max(0.0, 1.0 - (double)step / _train.TotalSteps);

    /// <summary>
    /// SGD with (non-Nesterov) momentum: m = momentum*m + g + wd*p, p -= lr*m. Weight decay only on conv/linear
    /// weights (SPOS leaves BN and biases undecayed). Parameters off the sampled path have no gradient and are
    /// skipped entirely, as torch.optim.SGD does with set_to_none gradients.
    /// </summary>
    private void SgdStep(double lr)
    {
        using var noGrad = torch.no_grad();
        // Every Scalar is made and held here until the step ends. TorchSharp's overloads without one (add_(Tensor) means
        // add_(Tensor, 1)) make a temporary that nothing references during the native call: a collection started by the
        // other trainer's thread can finalize (free) it while libtorch reads it, "Expected false to be true" (#10).
        using var one = 1.ToScalar();
        using var mu = _train.Momentum.ToScalar();
        using var wd = _train.WeightDecay.ToScalar();
        using var negLr = (-lr).ToScalar();
        for (var i = 0; i < _params.Length; i++)
        {
            var p = _params[i].P;
            var g = p.grad;
            if (g is null) continue;
            SgdUpdate(p, g, _momentum[i], one, mu, wd, negLr, decay: p.dim() > 1 && _train.WeightDecay != 0);
        }
    }

    /// <summary>One parameter's update; every Scalar comes from the caller, who holds it (static for the concurrency test).</summary>
    internal static void SgdUpdate(Tensor p, Tensor g, Tensor m, Scalar one, Scalar mu, Scalar wd, Scalar negLr, bool decay)
    {
        m.mul_(mu).add_(g, one);
        if (decay) m.add_(p, wd);
        p.add_(m, negLr);
    }

    private (Tensor X, Tensor Y) ToDevice((Tensor X, Tensor Y) batch) =>
        _device.type == DeviceType.CPU ? batch : (batch.X.to(_device), batch.Y.to(_device));

    private void InitFresh()
    {
        WeightInit.Apply(_net, _train.Seed);
        _mixed?.InitFresh();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var m in _momentum) m.zero_();
        SetStep(0);
    }

    private void SetStep(long step)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var value = step.ToScalar(); // held: see SgdStep
        _step.fill_(value);
    }

    private void LoadState(string hash)
    {
        if (_cached is not { } c || c.Hash != hash) _cached = (hash, _store.Load(hash));
        var byName = _cached.Value.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var expected = StateTensors().ToList();
        if (byName.Count != expected.Count || expected.Any(e => !byName.ContainsKey(e.Name)))
        {
            var missing = expected.Select(e => e.Name).FirstOrDefault(n => !byName.ContainsKey(n))
                ?? byName.Keys.First(k => expected.All(e => e.Name != k));
            throw new NasUserException($"checkpoint {hash} does not fit this supernet (tensor '{missing}' is missing or extra): it was made with another supernet config (nas.spaces.*); use that config or start a new experiment");
        }
        foreach (var (name, t) in expected) TensorBytes.CopyInto(byName[name], t, hash);
    }

    private IEnumerable<CheckpointTensor> CaptureState() => StateTensors().Select(e => TensorBytes.ToEntry(e.Name, e.T));

    private IEnumerable<(string Name, Tensor T)> StateTensors()
    {
        foreach (var (name, p) in _params) yield return ("model/" + name, p);
        foreach (var (name, b) in _buffers) yield return ("model/" + name, b);
        for (var i = 0; i < _params.Length; i++) yield return ("momentum/" + _params[i].Name, _momentum[i]);
        yield return ("step", _step);
        if (_mixed is not null) foreach (var e in _mixed.StateTensors()) yield return e;
    }

    public void Dispose()
    {
        _policy?.Dispose();
        _policy = null;
        _mixed?.Dispose();
        _retrainer?.Dispose();
        _retrainer = null;
        foreach (var m in _momentum) m.Dispose();
        _step.Dispose();
        _net.Dispose();
        _cached = null;
    }
}
