using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using NasActors.Core;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Controllers;

/// <summary>
/// The ENAS controller policy (<see cref="EnasPolicyNet"/>) on the CPU: sampling with draws from the caller's
/// xoshiro256** stream (inverse CDF over the softmax, no libtorch generator), REINFORCE with an entropy bonus,
/// global-norm gradient clipping and a hand-written Adam whose moments travel in the checkpoint. Weights start at
/// U(-0.1, 0.1) drawn in C# from the spec's seed. Thread-confined; every result is a pure function of the
/// arguments and the spec for a fixed intra-op thread count.
/// Checkpoint tensors: "policy/&lt;param&gt;", "adam_m/&lt;param&gt;", "adam_v/&lt;param&gt;" (float32), "adam_t" (int64 [1]:
/// Adam steps taken), "meta/step" (int64 [1]), "meta/baseline" (float64 [1]), "meta/rng" (int64 [4]: the bits of
/// S0..S3).
/// </summary>
internal sealed class TorchPolicyBackend : IPolicyBackend
{
    /// <summary>Seeds the initial weights with (Seed, this tag); part of the determinism contract.</summary>
    public const long InitStreamTag = 0x504f_4c49_4359_0001;

    public const double InitBound = 0.1;
    public const double Beta1 = 0.9;
    public const double Beta2 = 0.999;
    public const double AdamEps = 1e-8;
    private const double ClipEps = 1e-6; // as torch.nn.utils.clip_grad_norm_

    private const string PolicyPrefix = "policy/";
    private const string MomentPrefix = "adam_m/";
    private const string VariancePrefix = "adam_v/";
    private const string AdamStep = "adam_t";
    private const string MetaStep = "meta/step";
    private const string MetaBaseline = "meta/baseline";
    private const string MetaRng = "meta/rng";

    private readonly SearchSpace _space;
    private readonly ControllerSpec _spec;
    private readonly CheckpointStore _store;
    private readonly EnasPolicyNet _net;
    private readonly (string Name, Parameter P)[] _params;
    private readonly Tensor[] _m;
    private readonly Tensor[] _v;
    private readonly Dictionary<string, (CheckpointDType DType, long[] Shape)> _layout;
    private long _adamT;
    private string? _loaded; // the checkpoint whose state _net, _m, _v and _adamT hold now
    private (string Hash, IReadOnlyList<CheckpointTensor> Tensors, PolicyMeta Meta)? _cached;
    private bool _disposed;

    public TorchPolicyBackend(SearchSpace space, ControllerSpec spec, CheckpointStore store)
    {
        EnasPolicyNet.Check(space, spec);
        (_space, _spec, _store) = (space, spec, store);
        _net = new EnasPolicyNet(space, spec);
        _params = [.. _net.named_parameters().OrderBy(p => p.name, StringComparer.Ordinal)]; // fixed order: init draws, grad norm
        _m = [.. _params.Select(p => torch.zeros_like(p.P, requires_grad: false).DetachFromDisposeScope())];
        _v = [.. _params.Select(p => torch.zeros_like(p.P, requires_grad: false).DetachFromDisposeScope())];
        _layout = new Dictionary<string, (CheckpointDType, long[])>(StringComparer.Ordinal);
        foreach (var (name, p) in _params)
        {
            var entry = (TensorBytes.ToDType(p.dtype), p.shape);
            _layout.Add(PolicyPrefix + name, entry);
            _layout.Add(MomentPrefix + name, entry);
            _layout.Add(VariancePrefix + name, entry);
        }
        _layout.Add(AdamStep, (CheckpointDType.Int64, [1]));
        _layout.Add(MetaStep, (CheckpointDType.Int64, [1]));
        _layout.Add(MetaBaseline, (CheckpointDType.Float64, [1]));
        _layout.Add(MetaRng, (CheckpointDType.Int64, [4]));
    }

    public string Initialize(PolicyMeta meta)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(meta);
        _loaded = null;
        var rng = Xoshiro256.FromSeed(Xoshiro256.Derive(_spec.Seed, InitStreamTag));
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            foreach (var (_, p) in _params)
            {
                var values = new float[checked((int)p.numel())];
                for (var i = 0; i < values.Length; i++) values[i] = (float)(InitBound * (2.0 * rng.NextDouble() - 1.0));
                p.copy_(torch.tensor(values, p.shape));
            }
            foreach (var t in _m) t.zero_();
            foreach (var t in _v) t.zero_();
        }
        _adamT = 0;
        return WriteState(meta);
    }

    public ImmutableArray<Architecture> Sample(string policy, int count, Xoshiro256 rng)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        LoadState(policy);
        var choices = _space.Choices;
        var result = ImmutableArray.CreateBuilder<Architecture>(count);
        using var noGrad = torch.no_grad();
        for (var s = 0; s < count; s++)
        {
            using var scope = torch.NewDisposeScope();
            var values = new KeyValuePair<string, string>[choices.Length];
            var input = _net.Start(1);
            var state = _net.ZeroState(1);
            for (var k = 0; k < choices.Length; k++)
            {
                var (h, c) = _net.Step(input, state);
                state = (h, c);
                var probs = ToDoubles(nn.functional.softmax(_net.Logits(k, h), 1));
                var chosen = Draw(probs, rng.NextDouble());
                values[k] = KeyValuePair.Create(choices[k].Key, ValueOf(choices[k], chosen));
                if (k + 1 < choices.Length) input = _net.Embed(k, torch.tensor(new long[] { chosen }));
            }
            result.Add(new Architecture(values));
        }
        return result.MoveToImmutable();
    }

    public PolicyUpdate Update(string policy, ImmutableArray<Architecture> samples, ImmutableArray<double> advantages, PolicyMeta meta)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(meta);
        if (samples.IsDefaultOrEmpty) throw new ArgumentException("a policy update needs at least one sample", nameof(samples));
        if (advantages.IsDefault || advantages.Length != samples.Length)
            throw new ArgumentException($"{samples.Length} samples but {(advantages.IsDefault ? 0 : advantages.Length)} advantages", nameof(advantages));
        foreach (var a in advantages)
            if (!double.IsFinite(a)) throw new ArgumentException($"advantage {a} is not a finite number", nameof(advantages));
        var batch = samples.Length;
        var decisions = _space.Choices.Length;
        var chosen = new long[decisions][];
        for (var k = 0; k < decisions; k++) chosen[k] = new long[batch];
        for (var i = 0; i < batch; i++)
        {
            _space.Validate(samples[i]);
            for (var k = 0; k < decisions; k++) chosen[k][i] = IndexOf(_space.Choices[k], samples[i][_space.Choices[k].Key]);
        }

        LoadState(policy);
        _loaded = null; // the weights change below; a failure leaves them matching no checkpoint
        double loss, meanEntropy, gradNorm;
        using (var scope = torch.NewDisposeScope())
        {
            _net.zero_grad(true);
            var (logProb, entropy) = TeacherForce(chosen, batch, decisions);
            var adv = torch.tensor(advantages.Select(a => (float)a).ToArray());
            var objective = -(adv * logProb).mean() - _spec.EntropyWeight * entropy.mean();
            objective.backward();
            loss = objective.item<float>();
            meanEntropy = ToDoubles(entropy).Sum() / batch;
            gradNorm = GlobalGradNorm();
            if (!double.IsFinite(gradNorm) || !double.IsFinite(loss))
                throw new NasUserException($"the controller's policy gradient is not finite (loss {loss}, gradient norm {gradNorm}) on policy {policy}: lower nas.strategies.enas-rl.controller.learning-rate or the reward scale");
            if (_spec.GradClip > 0)
            {
                var coef = _spec.GradClip / (gradNorm + ClipEps);
                if (coef < 1)
                {
                    using var noGrad = torch.no_grad();
                    using var scale = coef.ToScalar(); // held during the calls: an implicit temporary can be finalized mid-call (#10)
                    foreach (var (_, p) in _params) p.grad?.mul_(scale);
                }
            }
            AdamStepAll();
        }
        _net.zero_grad(true); // gradients are not state; free them
        return new PolicyUpdate(WriteState(meta), loss, meanEntropy, gradNorm);
    }

    public PolicyMeta ReadMeta(string policy)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Read(policy).Meta;
    }

    public ImmutableArray<double> Probabilities(string policy, Architecture prefix, string choiceKey)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(prefix);
        var target = _space.Choices.IndexOf(_space[choiceKey]);
        var earlier = new long[target];
        for (var k = 0; k < target; k++)
        {
            var c = _space.Choices[k];
            if (!prefix.Choices.TryGetValue(c.Key, out var v))
                throw new ArgumentException($"the prefix does not set '{c.Key}', which the controller decides before '{choiceKey}'", nameof(prefix));
            earlier[k] = IndexOf(c, v);
        }
        LoadState(policy);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var input = _net.Start(1);
        var state = _net.ZeroState(1);
        for (var k = 0; ; k++)
        {
            var (h, c) = _net.Step(input, state);
            if (k == target) return [.. ToDoubles(nn.functional.softmax(_net.Logits(k, h), 1))];
            state = (h, c);
            input = _net.Embed(k, torch.tensor(new[] { earlier[k] }));
        }
    }

    /// <summary>Sum over decisions of log p(chosen) and of the entropy, per sample (teacher forcing, one batch).</summary>
    private (Tensor LogProb, Tensor Entropy) TeacherForce(long[][] chosen, int batch, int decisions)
    {
        var input = _net.Start(batch);
        var state = _net.ZeroState(batch);
        Tensor? logProb = null, entropy = null;
        for (var k = 0; k < decisions; k++)
        {
            var (h, c) = _net.Step(input, state);
            state = (h, c);
            var logp = nn.functional.log_softmax(_net.Logits(k, h), 1);
            var index = torch.tensor(chosen[k]);
            var lp = logp.gather(1, index.unsqueeze(1)).squeeze(1);
            var ent = -(logp.exp() * logp).sum(1);
            logProb = logProb is null ? lp : logProb + lp;
            entropy = entropy is null ? ent : entropy + ent;
            if (k + 1 < decisions) input = _net.Embed(k, index);
        }
        return (logProb!, entropy!);
    }

    /// <summary>L2 norm of all gradients, summed in double in parameter order (exact and order-fixed).</summary>
    private double GlobalGradNorm()
    {
        double sum = 0;
        foreach (var (_, p) in _params)
        {
            var g = p.grad;
            if (g is null) continue;
            using var scope = torch.NewDisposeScope();
            foreach (var x in g.contiguous().data<float>().ToArray()) sum += (double)x * x;
        }
        return Math.Sqrt(sum);
    }

    /// <summary>
    /// Adam as torch.optim.Adam (no weight decay, no amsgrad): m = b1 m + (1-b1) g, v = b2 v + (1-b2) g², then
    /// p -= lr / (1-b1^t) * m / (sqrt(v) / sqrt(1-b2^t) + eps). One step counter for all parameters; parameters
    /// without a gradient (the last decision's embedding is never used) are left alone.
    /// </summary>
    private void AdamStepAll()
    {
        _adamT++;
        double b1t = 1, b2t = 1;
        for (var i = 0L; i < _adamT; i++) (b1t, b2t) = (b1t * Beta1, b2t * Beta2); // exact on every machine, unlike Math.Pow
        var bc1 = 1 - b1t;
        var sqrtBc2 = Math.Sqrt(1 - b2t);
        using var noGrad = torch.no_grad();
        using var beta1 = Beta1.ToScalar();
        using var oneMinusBeta1 = (1 - Beta1).ToScalar();
        using var beta2 = Beta2.ToScalar();
        using var oneMinusBeta2 = (1 - Beta2).ToScalar();
        using var sqrtBias2 = sqrtBc2.ToScalar();
        using var eps = AdamEps.ToScalar();
        using var stepSize = (-_spec.LearningRate / bc1).ToScalar();
        using var one = 1.ToScalar(); // add_(Scalar) alone would make an unheld temporary alpha (#10)
        for (var i = 0; i < _params.Length; i++)
        {
            var p = _params[i].P;
            var g = p.grad;
            if (g is null) continue;
            using var scope = torch.NewDisposeScope();
            _m[i].mul_(beta1).add_(g, oneMinusBeta1);
            _v[i].mul_(beta2).addcmul_(g, g, oneMinusBeta2);
            var denom = _v[i].sqrt().div_(sqrtBias2).add_(eps, one);
            p.addcdiv_(_m[i], denom, stepSize);
        }
    }

    private static double[] ToDoubles(Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        return t.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
    }

    /// <summary>Inverse CDF: the first index whose cumulative probability exceeds u; rounding falls to the last possible index.</summary>
    internal static int Draw(double[] probs, double u)
    {
        double cum = 0;
        var last = -1;
        for (var i = 0; i < probs.Length; i++)
        {
            if (!(probs[i] > 0)) continue;
            cum += probs[i];
            last = i;
            if (u < cum) return i;
        }
        if (last < 0) throw new InvalidOperationException("the controller's probabilities are all zero or not numbers");
        return last;
    }

    // Each decision is categorical over every value of its choice (candidates; for input choices the index lists).
    private readonly Dictionary<string, IReadOnlyList<string>> _values = new(StringComparer.Ordinal);

    private IReadOnlyList<string> Values(Choice c)
    {
        if (!_values.TryGetValue(c.Key, out var v)) _values[c.Key] = v = c.Values();
        return v;
    }

    private string ValueOf(Choice c, int index) => Values(c)[index];

    private int IndexOf(Choice c, string value)
    {
        var i = Values(c) is var all ? IndexIn(all, value) : -1;
        if (i < 0)
            throw new SearchSpaceException($"architecture sets '{c.Key}' to '{value}', which is not one of its candidates in search space '{_space.Name}'");
        return i;
    }

    private static int IndexIn(IReadOnlyList<string> values, string value)
    {
        for (var k = 0; k < values.Count; k++) if (values[k] == value) return k;
        return -1;
    }

    private string WriteState(PolicyMeta meta)
    {
        var tensors = new List<CheckpointTensor>(_layout.Count);
        for (var i = 0; i < _params.Length; i++)
        {
            var name = _params[i].Name;
            tensors.Add(TensorBytes.ToEntry(PolicyPrefix + name, _params[i].P));
            tensors.Add(TensorBytes.ToEntry(MomentPrefix + name, _m[i]));
            tensors.Add(TensorBytes.ToEntry(VariancePrefix + name, _v[i]));
        }
        tensors.Add(Int64s(AdamStep, _adamT));
        tensors.Add(Int64s(MetaStep, meta.Step));
        var baseline = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(baseline, meta.Baseline);
        tensors.Add(new CheckpointTensor(MetaBaseline, CheckpointDType.Float64, [1], baseline));
        var r = meta.Rng;
        tensors.Add(Int64s(MetaRng, unchecked((long)r.S0), unchecked((long)r.S1), unchecked((long)r.S2), unchecked((long)r.S3)));
        var hash = _store.Write(tensors);
        _cached = (hash, tensors, meta);
        _loaded = hash;
        return hash;
    }

    private static CheckpointTensor Int64s(string name, params long[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), values[i]);
        return new CheckpointTensor(name, CheckpointDType.Int64, [values.Length], bytes);
    }

    /// <summary>Puts a checkpoint's weights, Adam state and step into this backend (nothing to do if they are there already).</summary>
    private void LoadState(string hash)
    {
        var (_, tensors, _) = Read(hash);
        if (_loaded == hash) return;
        _loaded = null;
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        for (var i = 0; i < _params.Length; i++)
        {
            var name = _params[i].Name;
            TensorBytes.CopyInto(byName[PolicyPrefix + name], _params[i].P, hash);
            TensorBytes.CopyInto(byName[MomentPrefix + name], _m[i], hash);
            TensorBytes.CopyInto(byName[VariancePrefix + name], _v[i], hash);
        }
        _adamT = BinaryPrimitives.ReadInt64LittleEndian(byName[AdamStep].Data);
        _loaded = hash;
    }

    /// <summary>Loads (or takes from the one-entry cache) a checkpoint and checks it has exactly this policy's tensors.</summary>
    private (string Hash, IReadOnlyList<CheckpointTensor> Tensors, PolicyMeta Meta) Read(string hash)
    {
        if (_cached is { } c && c.Hash == hash) return c;
        var tensors = _store.Load(hash);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            names.Add(t.Name);
            if (!_layout.TryGetValue(t.Name, out var expected))
                throw DoesNotFit(hash, $"it has tensor '{t.Name}', which this controller does not");
            if (expected.DType != t.DType || !expected.Shape.AsSpan().SequenceEqual(t.Shape))
                throw DoesNotFit(hash, $"tensor '{t.Name}' is {t.DType} [{string.Join(",", t.Shape)}], this controller needs {expected.DType} [{string.Join(",", expected.Shape)}]");
        }
        var missing = _layout.Keys.Where(n => !names.Contains(n)).Order(StringComparer.Ordinal).FirstOrDefault();
        if (missing is not null) throw DoesNotFit(hash, $"tensor '{missing}' is missing");
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var adamT = BinaryPrimitives.ReadInt64LittleEndian(byName[AdamStep].Data);
        if (adamT < 0) throw DoesNotFit(hash, $"its Adam step count is {adamT}");
        var rng = byName[MetaRng].Data;
        var meta = new PolicyMeta(
            BinaryPrimitives.ReadInt64LittleEndian(byName[MetaStep].Data),
            BinaryPrimitives.ReadDoubleLittleEndian(byName[MetaBaseline].Data),
            new RngState(
                BinaryPrimitives.ReadUInt64LittleEndian(rng.AsSpan(0)), BinaryPrimitives.ReadUInt64LittleEndian(rng.AsSpan(8)),
                BinaryPrimitives.ReadUInt64LittleEndian(rng.AsSpan(16)), BinaryPrimitives.ReadUInt64LittleEndian(rng.AsSpan(24))));
        var entry = (hash, tensors, meta);
        _cached = entry;
        return entry;
    }

    private NasUserException DoesNotFit(string hash, string why) =>
        new($"policy checkpoint {hash} does not fit this search space ('{_space.Name}') and controller config ({why}): it was made with another search space or nas.strategies.enas-rl.controller; use that config or start a new experiment");

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _m) t.Dispose();
        foreach (var t in _v) t.Dispose();
        _net.Dispose();
        _cached = null;
        _loaded = null;
    }
}
