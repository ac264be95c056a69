using System.Collections.Immutable;
using System.Diagnostics;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Torch.Data;
using NasActors.Torch.Mutables;
using NasActors.Torch.Spaces;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>
/// Standalone training of one architecture (<see cref="IRetrainer"/>): the space's retrain network
/// (<see cref="SupernetCatalog.CreateForRetrain"/>, with nas.retrain.space's spec) fixed to the architecture, trained
/// round by round (nas.retrain.rounds-per-epoch) from checkpoints with the DARTS recipe: SGD with momentum and weight decay on every parameter, the
/// learning rate cosine-annealed per epoch, global gradient-norm clipping, cutout, drop path ramped over the epochs and
/// the auxiliary head's weighted loss (those two where the network has them, <see cref="IRetrainable"/>).
/// Thread-confined; a pure function of the arguments for a fixed intra-op thread count: fresh weights, batch order,
/// augmentation and drop-path masks come from xoshiro streams of (seed, global batch). One dispose scope per batch.
/// Checkpoint tensors: "model/&lt;param or buffer&gt;", "momentum/&lt;param&gt;", "step" (batches trained so far, per slot).
/// </summary>
internal sealed class TorchRetrainer : IRetrainer, IDisposable
{
    private const int ProgressEvery = 10;

    private readonly SpaceModule _module;
    private readonly object _spec;
    private readonly long _seed;
    private readonly DatasetSplits _data;
    private readonly CheckpointStore _store;
    private readonly Device _device;
    private readonly int _evalBatchSize;
    private Model? _model;
    private BatchSchedule? _schedule;
    private string? _live; // the checkpoint the model's state equals right now, if any

    /// <summary>One fixed network with its optimizer state, for one architecture.</summary>
    private sealed class Model(string key, ModelSpace space, nn.Module<Tensor, Tensor> net, ArchitectureCost cost) : IDisposable
    {
        public string Key { get; } = key;
        public ModelSpace Space { get; } = space;
        public nn.Module<Tensor, Tensor> Net { get; } = net;
        public ArchitectureCost Cost { get; } = cost;
        public (string Name, Parameter P)[] Params { get; } = [.. net.named_parameters()];
        public (string Name, Tensor T)[] Buffers { get; } = [.. net.named_buffers()];
        public Tensor[] Momentum { get; } = [.. net.named_parameters().Select(p => torch.zeros_like(p.parameter).DetachFromDisposeScope())];
        public Tensor Step { get; } = torch.zeros(1, ScalarType.Int64).DetachFromDisposeScope();
        public IRetrainable? Tricks => Net as IRetrainable;

        public void Dispose()
        {
            foreach (var m in Momentum) m.Dispose();
            Step.Dispose();
            Space.Dispose();
        }
    }

    public TorchRetrainer(SpaceModule module, object spec, long seed, DatasetSplits data, CheckpointStore store, Device device, int evalBatchSize)
    {
        (_module, _spec, _seed, _data, _store, _device, _evalBatchSize) = (module, spec, seed, data, store, device, evalBatchSize);
    }

    public SliceResult TrainEpoch(Architecture architecture, RetrainSettings settings, int epoch, int round, int slot, string? fromCheckpoint,
        Action<TrainProgress> progress, CancellationToken ct)
    {
        if (epoch < 0 || epoch >= settings.Epochs || round < 0 || round >= settings.Rounds || slot < 0 || slot >= settings.Slots
            || (fromCheckpoint is null) != (epoch == 0 && round == 0))
            throw new ArgumentException($"invalid retrain epoch {epoch} round {round} slot {slot} of {settings.Epochs} epochs, {settings.Rounds} rounds, {settings.Slots} slots, from {fromCheckpoint ?? "fresh weights"}");
        ct.ThrowIfCancellationRequested();
        var clock = Stopwatch.StartNew();
        var m = Prepare(architecture, settings);
        var schedule = Schedule(settings);
        if (fromCheckpoint is null) InitFresh(m);
        else Load(m, fromCheckpoint);
        _live = null;

        var batches = schedule.BatchesPerEpoch;
        var (first, end) = settings.RoundBatches(batches, round);
        var lr = settings.LearningRateAt(epoch);
        if (m.Tricks is { } tricks) tricks.DropPath = settings.DropPathAt(epoch);
        var augment = Augment(settings);
        m.Net.train();
        double lossSum = 0, windowLoss = 0;
        long correct = 0;
        int images = 0, steps = 0, window = 0;
        for (var b = first + slot; b < end; b += settings.Slots)
        {
            ct.ThrowIfCancellationRequested();
            var global = (long)epoch * batches + b;
            using (var scope = torch.NewDisposeScope())
            {
                var (x, y) = schedule.TrainBatch(global);
                if (augment is not null) x = augment.Apply(x, Xoshiro256.FromSeed(Xoshiro256.Derive(_seed, StreamTags.Augment, StreamTags.Retrain, global)));
                (x, y) = ToDevice(x, y);
                m.Net.zero_grad(true);
                m.Space.Seed(Xoshiro256.Derive(_seed, StreamTags.Dropout, StreamTags.Retrain, global));
                m.Tricks?.SeedDropPath(Xoshiro256.Derive(_seed, StreamTags.DropPath, global));
                var logits = m.Net.call(x);
                var loss = nn.functional.cross_entropy(logits, y);
                if (settings.AuxiliaryWeight > 0)
                {
                    var aux = m.Tricks?.TakeAuxiliary() ?? throw new InvalidOperationException($"nas.retrain.auxiliary-weight is set but the {_module.Name} network has no auxiliary head");
                    using var weight = settings.AuxiliaryWeight.ToScalar(); // held during the call (see HeldScalars)
                    loss = loss.add(nn.functional.cross_entropy(aux, y), weight);
                }
                loss.backward();
                if (settings.GradClip > 0) nn.utils.clip_grad_norm_(m.Params.Select(p => p.P), settings.GradClip);
                SgdStep(m, settings, lr);
                var l = loss.item<float>();
                lossSum += l;
                windowLoss += l;
                correct += logits.argmax(1).eq(y).sum().item<long>();
                images += (int)y.shape[0];
                steps++;
                window++;
            }
            if (window == ProgressEvery || b + settings.Slots >= end)
            {
                progress(new TrainProgress(-1 - epoch, slot, global + 1, images, windowLoss / window, clock.Elapsed.TotalSeconds));
                (windowLoss, window) = (0, 0);
            }
        }
        m.Net.zero_grad(true); // gradients are not state; free them
        SetStep(m, (long)epoch * batches + end);
        var hash = _store.Write(Capture(m, withOptimizer: true));
        _live = hash;
        return new SliceResult(hash, steps == 0 ? 0 : lossSum / steps, images == 0 ? 0 : (double)correct / images, images, clock.Elapsed.TotalSeconds);
    }

    public string Merge(ImmutableArray<string> checkpoints, CancellationToken ct)
    {
        if (checkpoints.IsDefaultOrEmpty) throw new ArgumentException("nothing to merge", nameof(checkpoints));
        var loaded = new List<IReadOnlyList<CheckpointTensor>>(checkpoints.Length);
        foreach (var h in checkpoints)
        {
            ct.ThrowIfCancellationRequested();
            loaded.Add(_store.Load(h));
        }
        return checkpoints.Length == 1 ? checkpoints[0] : _store.Write(CheckpointAverage.Mean(loaded, checkpoints));
    }

    public TrainedModel Test(Architecture architecture, RetrainSettings settings, string checkpoint, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var m = Prepare(architecture, settings);
        if (_live != checkpoint) Load(m, checkpoint);
        _live = checkpoint;
        var set = _data.Test;
        if (set.Count == 0) throw new NasUserException("the test split is empty: check nas.data.directory");
        m.Net.eval();
        double lossSum = 0;
        long correct = 0;
        using (torch.no_grad())
        {
            for (var start = 0; start < set.Count; start += _evalBatchSize)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var (x, y) = set.Range(start, Math.Min(_evalBatchSize, set.Count - start));
                (x, y) = ToDevice(x, y);
                var logits = m.Net.call(x);
                lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
                correct += logits.argmax(1).eq(y).sum().item<long>();
            }
        }
        var weights = _store.Write(Capture(m, withOptimizer: false));
        return new TrainedModel(new Metrics((double)correct / set.Count, lossSum / set.Count, m.Cost.Flops, m.Cost.Params), weights);
    }

    /// <summary>The fixed network of <paramref name="architecture"/> (built once and kept while the architecture stays the same).</summary>
    private Model Prepare(Architecture architecture, RetrainSettings settings)
    {
        var key = architecture.CanonicalKey + (settings.AuxiliaryWeight > 0 ? "/aux" : "");
        if (_model is { } cached && cached.Key == key) return cached;
        _model?.Dispose();
        _model = null;
        _live = null;
        var space = SupernetCatalog.CreateForRetrain(_module, _spec, settings.AuxiliaryWeight > 0);
        try
        {
            if ((settings.DropPath > 0 || settings.AuxiliaryWeight > 0) && space.Model is not IRetrainable)
                throw new NasUserException($"nas.retrain.drop-path / auxiliary-weight are set, but the {_module.Name} network has neither; set them to 0");
            space.Space.Validate(architecture);
            var cost = space.Measure(architecture);
            var net = space.Fix(architecture);
            if (_device.type != DeviceType.CPU) net.to(_device);
            // The auxiliary head helps training only; DARTS reports the model's size without it.
            var aux = (net as IRetrainable)?.AuxiliaryParameters ?? 0;
            return _model = new Model(key, space, net, cost with { Params = cost.Params - aux });
        }
        catch
        {
            space.Dispose();
            throw;
        }
    }

    private BatchSchedule Schedule(RetrainSettings settings)
    {
        var images = settings.IncludeValidation ? _data.TrainAndValidation : _data.Train;
        // Its own stream: the retrain's batch order is not the supernet's.
        if (_schedule is { } s && s.BatchSize == settings.BatchSize && ReferenceEquals(s.Images, images)) return s;
        return _schedule = new BatchSchedule(images, settings.BatchSize, Xoshiro256.Derive(_seed, StreamTags.Retrain));
    }

    /// <summary>CIFAR-10's crop and flip (nas.data.augment) with the retrain's cutout; other data: the retrain's own crop, flip and cutout (all off: nothing).</summary>
    private CifarAugment? Augment(RetrainSettings settings) =>
        _data.Augment is { } a ? a with { Cutout = settings.Cutout }
        : settings.Cutout > 0 || settings.CropPadding > 0 || settings.Flip ? new CifarAugment(settings.CropPadding, settings.Flip, settings.Cutout)
        : null;

    /// <summary>
    /// torch.optim.SGD as DARTS uses it: d = g + wd·p on every parameter, m = momentum·m + d, p -= lr·m. Parameters
    /// without a gradient (none in a fixed network, unless a head is off) are skipped.
    /// </summary>
    private static void SgdStep(Model m, RetrainSettings settings, double lr)
    {
        using var noGrad = torch.no_grad();
        using var one = 1.ToScalar(); // every Scalar held until the step ends (see TorchSupernetBackend.SgdStep)
        using var mu = settings.Momentum.ToScalar();
        using var wd = settings.WeightDecay.ToScalar();
        using var negLr = (-lr).ToScalar();
        for (var i = 0; i < m.Params.Length; i++)
        {
            var p = m.Params[i].P;
            if (p.grad is not { } g) continue;
            TorchSupernetBackend.SgdUpdate(p, g, m.Momentum[i], one, mu, wd, negLr, decay: settings.WeightDecay != 0);
        }
    }

    private (Tensor X, Tensor Y) ToDevice(Tensor x, Tensor y) => _device.type == DeviceType.CPU ? (x, y) : (x.to(_device), y.to(_device));

    private void InitFresh(Model m)
    {
        WeightInit.Apply(m.Net, Xoshiro256.Derive(_seed, StreamTags.Retrain));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var t in m.Momentum) t.zero_();
        SetStep(m, 0);
    }

    private static void SetStep(Model m, long step)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var value = step.ToScalar();
        m.Step.fill_(value);
    }

    private void Load(Model m, string hash)
    {
        if (_live == hash) return;
        _live = null;
        var byName = _store.Load(hash).ToDictionary(t => t.Name, StringComparer.Ordinal);
        var expected = State(m, withOptimizer: true).ToList();
        foreach (var (name, _) in expected)
            if (!byName.ContainsKey(name))
                throw new NasUserException($"checkpoint {hash} does not fit this retrain network (tensor '{name}' is missing): it was made with another nas.retrain / nas.spaces config; use that config or start a new experiment");
        if (byName.Count != expected.Count)
            throw new NasUserException($"checkpoint {hash} does not fit this retrain network ({byName.Count} tensors, {expected.Count} expected); use the config it was made with or start a new experiment");
        foreach (var (name, t) in expected) TensorBytes.CopyInto(byName[name], t, hash);
        _live = hash;
    }

    private static IEnumerable<CheckpointTensor> Capture(Model m, bool withOptimizer) =>
        State(m, withOptimizer).Select(e => TensorBytes.ToEntry(e.Name, e.T));

    private static IEnumerable<(string Name, Tensor T)> State(Model m, bool withOptimizer)
    {
        foreach (var (name, p) in m.Params) yield return ("model/" + name, p);
        foreach (var (name, b) in m.Buffers) yield return ("model/" + name, b);
        if (!withOptimizer) yield break;
        for (var i = 0; i < m.Params.Length; i++) yield return ("momentum/" + m.Params[i].Name, m.Momentum[i]);
        yield return ("step", m.Step);
    }

    public void Dispose()
    {
        _model?.Dispose();
        _model = null;
    }
}
