using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using NasActors.Core;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Torch.Controllers;
using NasActors.Torch.Training;
using TorchSharp;

namespace NasActors.Torch.Tests.Controllers;

public class TorchPolicyBackendTests
{
    private const string RewardedKey = "normal/op_2_0";
    private const string RewardedOp = "sep_conv_5x5";

    public TorchPolicyBackendTests() => torch.set_num_threads(1); // process-wide; every Torch test uses 1

    private static SearchSpace Micro() => EnasMicroSpace.Create(new EnasMicroSpec(8, 2, 1, 2, EnasMicroSpec.PaperOps));

    private static SearchSpace Mixed() => SearchSpace.Create("mixed",
    [
        Choice.Layer("stem", "conv3", "conv5", "skip"),
        Choice.Input("cell/in_0", 3),
        Choice.Value("width", "8", "16"),
        Choice.Input("cell/in_1", 5),
        Choice.Layer("head", "linear"),
        Choice.Input("cell/in_2", 1),
    ]);

    private static ControllerSpec Spec(long seed = 11, int hidden = 16, double lr = 0.05, double clip = 5.0, double tanh = 1.5, double temperature = 1.0) =>
        new(hidden, temperature, tanh, lr, EntropyWeight: 1e-4, GradClip: clip, Seed: seed);

    private static PolicyMeta Meta(long step = 0, double baseline = 0, long rngSeed = 3) => new(step, baseline, Xoshiro256.StateFromSeed(rngSeed));

    private static TorchPolicyBackend Backend(string dir, SearchSpace? space = null, ControllerSpec? spec = null) =>
        new(space ?? Micro(), spec ?? Spec(), new CheckpointStore(dir));

    private static ImmutableArray<double> Advantages(params double[] values) => [.. values];

    private static double Reward(Architecture a) => a[RewardedKey] == RewardedOp ? 1.0 : 0.0;

    [Fact]
    public void Sample_must_return_valid_architectures_of_an_enas_micro_space()
    {
        using var dir = new TempDirectory();
        var space = Micro();
        using var backend = Backend(dir.Path, space);
        var policy = backend.Initialize(Meta());

        var samples = backend.Sample(policy, 300, Xoshiro256.FromSeed(5));

        Assert.Equal(300, samples.Length);
        foreach (var a in samples)
        {
            space.Validate(a);
            for (var node = 2; node < 4; node++)
                foreach (var cell in new[] { EnasMicroSpace.Normal, EnasMicroSpace.Reduce })
                    for (var slot = 0; slot < 2; slot++)
                        Assert.InRange(int.Parse(a[EnasMicroSpace.InputKey(cell, node, slot)], CultureInfo.InvariantCulture), 0, node - 1);
        }
        // Near-uniform at init: every op shows up at a decision.
        Assert.Equal(5, samples.Select(a => a[RewardedKey]).Distinct().Count());
        Assert.True(samples.Distinct().Count() > 250);
    }

    [Fact]
    public void Sample_must_return_valid_architectures_of_a_mixed_space()
    {
        using var dir = new TempDirectory();
        var space = Mixed();
        using var backend = Backend(dir.Path, space, Spec(hidden: 24, tanh: 0));
        var policy = backend.Initialize(Meta());

        var samples = backend.Sample(policy, 300, Xoshiro256.FromSeed(6));

        Assert.All(samples, a => Assert.True(space.Contains(a), a.CanonicalKey));
        Assert.Equal(["0", "1", "2"], samples.Select(a => a["cell/in_0"]).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["0", "1", "2", "3", "4"], samples.Select(a => a["cell/in_1"]).Distinct().Order(StringComparer.Ordinal));
        Assert.All(samples, a => Assert.Equal("0", a["cell/in_2"]));
        Assert.All(samples, a => Assert.Equal("linear", a["head"]));
        Assert.Equal(2, samples.Select(a => a["width"]).Distinct().Count());
    }

    [Fact]
    public void Sample_must_be_a_function_of_the_policy_and_the_rng_state()
    {
        using var dir = new TempDirectory();
        using var backend = Backend(dir.Path);
        var policy = backend.Initialize(Meta());
        var state = Xoshiro256.StateFromSeed(42);

        var rng = new Xoshiro256(state);
        var a = backend.Sample(policy, 20, rng);
        var b = backend.Sample(policy, 20, new Xoshiro256(state));
        var split = backend.Sample(policy, 12, new Xoshiro256(state)).AddRange(backend.Sample(policy, 8, new Xoshiro256(StateAfter(state, 12 * 16))));
        var other = backend.Sample(policy, 20, new Xoshiro256(Xoshiro256.StateFromSeed(43)));

        Assert.Equal<Architecture>(a, b); // explicit T: xunit's IStructuralEquatable path misreads ImmutableArray
        Assert.Equal<Architecture>(a, split);
        Assert.NotEqual<Architecture>(a, other);
        Assert.Equal(StateAfter(state, 20 * 16), rng.State); // one draw per decision, 16 decisions
        Assert.Empty(backend.Sample(policy, 0, new Xoshiro256(state)));
    }

    private static RngState StateAfter(RngState state, int draws)
    {
        var rng = new Xoshiro256(state);
        for (var i = 0; i < draws; i++) rng.NextUInt64();
        return rng.State;
    }

    [Fact]
    public void Initialize_must_be_deterministic_and_depend_on_the_seed()
    {
        using var dir = new TempDirectory();
        using var a = Backend(dir.Path);
        using var b = Backend(dir.Path);
        using var c = Backend(dir.Path, spec: Spec(seed: 12));

        var first = a.Initialize(Meta());
        Assert.Equal(first, a.Initialize(Meta()));
        Assert.Equal(first, b.Initialize(Meta()));
        Assert.NotEqual(first, c.Initialize(Meta()));
        Assert.NotEqual(first, a.Initialize(Meta(baseline: 0.5)));

        var tensors = new CheckpointStore(dir.Path).Load(first);
        var weights = tensors.Where(t => t.Name.StartsWith("policy/", StringComparison.Ordinal))
            .SelectMany(t => Floats(t.Data)).ToList();
        Assert.All(weights, w => Assert.InRange(w, -0.1f, 0.1f));
        Assert.True(weights.Count(w => w == 0) < 3);
        Assert.All(tensors.Where(t => t.Name.StartsWith("adam_", StringComparison.Ordinal) && t.Name != "adam_t"),
            t => Assert.All(Floats(t.Data), x => Assert.Equal(0f, x)));
        Assert.Contains(tensors, t => t.Name == "policy/g_emb");
        Assert.Contains(tensors, t => t.Name == "policy/head_15.weight");
        Assert.Contains(tensors, t => t.Name == "adam_m/emb_0.weight");
    }

    [Fact]
    public void Update_must_move_probability_toward_a_rewarded_choice()
    {
        using var dir = new TempDirectory();
        var space = Micro();
        using var backend = Backend(dir.Path, space);
        var rng = Xoshiro256.FromSeed(9);
        var policy = backend.Initialize(new PolicyMeta(0, 0, rng.State));
        var prefix = space.Sample(Xoshiro256.FromSeed(1));
        var opIndex = space[RewardedKey].Candidates.IndexOf(RewardedOp);
        var before = backend.Probabilities(policy, prefix, RewardedKey)[opIndex];

        double baseline = 0;
        var entropies = new List<double>();
        for (var step = 1; step <= 40; step++)
        {
            var samples = backend.Sample(policy, 8, rng);
            var rewards = samples.Select(Reward).ToArray();
            var update = backend.Update(policy, samples, [.. rewards.Select(r => r - baseline)], new PolicyMeta(step, baseline, rng.State));
            baseline = 0.9 * baseline + 0.1 * rewards.Average();
            entropies.Add(update.Entropy);
            policy = update.Checkpoint;
        }
        var after = backend.Probabilities(policy, prefix, RewardedKey)[opIndex];

        Assert.InRange(before, 0.1, 0.3);
        Assert.True(after > 0.5, $"p({RewardedOp}) went from {before} to {after}");
        Assert.True(entropies[^1] < entropies[0], $"entropy {entropies[0]} -> {entropies[^1]}");
        Assert.True(backend.Sample(policy, 100, Xoshiro256.FromSeed(77)).Count(a => Reward(a) == 1) > 45);
    }

    [Fact]
    public void ReadMeta_must_return_exactly_the_meta_written()
    {
        using var dir = new TempDirectory();
        using var backend = Backend(dir.Path);
        var initial = new PolicyMeta(0, -0.0, new RngState(ulong.MaxValue, 0, 1UL << 63, 0x0123_4567_89AB_CDEF));
        var policy = backend.Initialize(initial);
        var samples = backend.Sample(policy, 4, Xoshiro256.FromSeed(1));
        var meta = new PolicyMeta(long.MaxValue, 0.1 + 0.2, new RngState(1, 2, 3, ulong.MaxValue - 1));
        var updated = backend.Update(policy, samples, Advantages(1, -1, 0.5, 0), meta).Checkpoint;

        using var fresh = Backend(dir.Path);
        Assert.Equal(initial, backend.ReadMeta(policy));
        Assert.Equal(initial, fresh.ReadMeta(policy));
        Assert.True(double.IsNegative(fresh.ReadMeta(policy).Baseline));
        Assert.Equal(meta, backend.ReadMeta(updated));
        Assert.Equal(meta, fresh.ReadMeta(updated));
    }

    [Fact]
    public void Update_must_be_deterministic_across_calls_and_backends()
    {
        using var dir = new TempDirectory();
        using var a = Backend(dir.Path);
        var policy = a.Initialize(Meta());
        var samples = a.Sample(policy, 8, Xoshiro256.FromSeed(2));
        var adv = Advantages(1, -0.5, 0.25, 0, 2, -1, 0.75, -0.125);

        var first = a.Update(policy, samples, adv, Meta(step: 1));
        var again = a.Update(policy, samples, adv, Meta(step: 1));
        using var b = Backend(dir.Path);
        var other = b.Update(policy, samples, adv, Meta(step: 1));

        Assert.Equal(first, again);
        Assert.Equal(first, other);
        Assert.NotEqual(policy, first.Checkpoint);
        Assert.True(double.IsFinite(first.Loss));
        Assert.InRange(first.Entropy, 10, 16 * Math.Log(5)); // 16 decisions, at most log(#candidates) nats each
        Assert.True(first.GradNorm > 0);
        var rng = Xoshiro256.StateFromSeed(8);
        Assert.Equal<Architecture>(a.Sample(first.Checkpoint, 10, new Xoshiro256(rng)), b.Sample(first.Checkpoint, 10, new Xoshiro256(rng)));
    }

    [Fact]
    public void Fresh_backend_must_sample_identically_from_a_stored_checkpoint()
    {
        using var dir = new TempDirectory();
        string policy;
        ImmutableArray<Architecture> expected;
        var state = Xoshiro256.StateFromSeed(31);
        using (var a = Backend(dir.Path))
        {
            var init = a.Initialize(Meta());
            policy = a.Update(init, a.Sample(init, 8, Xoshiro256.FromSeed(4)), Advantages(1, 0, 0, -1, 0.5, 0.5, 0, 1), Meta(step: 1)).Checkpoint;
            expected = a.Sample(policy, 16, new Xoshiro256(state));
        }
        using var b = Backend(dir.Path);
        Assert.Equal<Architecture>(expected, b.Sample(policy, 16, new Xoshiro256(state)));
        using var c = Backend(dir.Path);
        Assert.Equal<double>(c.Probabilities(policy, expected[0], RewardedKey), b.Probabilities(policy, expected[0], RewardedKey));
    }

    [Fact]
    public void Adam_state_must_survive_a_checkpoint_round_trip()
    {
        using var dir = new TempDirectory();
        using var a = Backend(dir.Path);
        var p0 = a.Initialize(Meta());
        var batch1 = a.Sample(p0, 8, Xoshiro256.FromSeed(21));
        var batch2 = a.Sample(p0, 8, Xoshiro256.FromSeed(22));
        var adv1 = Advantages(1, -1, 1, -1, 0.5, -0.5, 0, 0);
        var adv2 = Advantages(-1, 1, 0.25, 0, 0, 0.5, -0.25, 1);

        var p1 = a.Update(p0, batch1, adv1, Meta(step: 1)).Checkpoint;
        var p2 = a.Update(p1, batch2, adv2, Meta(step: 2)).Checkpoint;

        using var b = Backend(dir.Path); // reloads the intermediate checkpoint, Adam moments included
        Assert.Equal(p2, b.Update(p1, batch2, adv2, Meta(step: 2)).Checkpoint);
        a.Sample(p0, 1, Xoshiro256.FromSeed(1)); // move a's loaded state away, then redo from the file
        Assert.Equal(p2, a.Update(p1, batch2, adv2, Meta(step: 2)).Checkpoint);

        var store = new CheckpointStore(dir.Path);
        Assert.Equal(2L, BinaryPrimitives.ReadInt64LittleEndian(store.Load(p2).Single(t => t.Name == "adam_t").Data));
        Assert.Contains(Floats(store.Load(p1).Single(t => t.Name == "adam_m/head_0.weight").Data), x => x != 0);

        // The same step from p1's weights with zeroed Adam state lands elsewhere: the moments matter.
        var zeroed = store.Write(store.Load(p1).Select(t =>
            t.Name.StartsWith("adam_m/", StringComparison.Ordinal) || t.Name.StartsWith("adam_v/", StringComparison.Ordinal)
                ? t with { Data = new byte[t.Data.Length] }
                : t));
        Assert.NotEqual(p2, b.Update(zeroed, batch2, adv2, Meta(step: 2)).Checkpoint);
    }

    [Fact]
    public void Load_must_reject_checkpoints_of_another_space_or_config()
    {
        using var dir = new TempDirectory();
        var store = new CheckpointStore(dir.Path);
        using var micro = Backend(dir.Path);
        var policy = micro.Initialize(Meta());
        using var mixed = Backend(dir.Path, Mixed());
        using var wider = Backend(dir.Path, spec: Spec(hidden: 32));

        var e = Assert.Throws<NasUserException>(() => mixed.Sample(policy, 1, Xoshiro256.FromSeed(1)));
        Assert.Contains("does not fit this search space", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Throws<NasUserException>(() => wider.ReadMeta(policy));

        var extra = store.Write(store.Load(policy).Append(new CheckpointTensor("policy/extra", CheckpointDType.Float32, [1], new byte[4])));
        Assert.Contains("policy/extra", Assert.Throws<NasUserException>(() => micro.Sample(extra, 1, Xoshiro256.FromSeed(1))).Message);
        var missing = store.Write(store.Load(policy).Where(t => t.Name != "meta/rng"));
        Assert.Contains("meta/rng", Assert.Throws<NasUserException>(() => micro.ReadMeta(missing)).Message);
        var sposCheckpoint = store.Write([new CheckpointTensor("step", CheckpointDType.Int64, [1], new byte[8])]);
        Assert.Throws<NasUserException>(() => micro.Probabilities(sposCheckpoint, new Architecture([]), "normal/input_2_0"));

        // A damaged file fails its hash check.
        var path = store.PathOf(policy);
        var bytes = File.ReadAllBytes(path);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        using var fresh = Backend(dir.Path);
        Assert.Contains("corrupt", Assert.Throws<NasUserException>(() => fresh.Sample(policy, 1, Xoshiro256.FromSeed(1))).Message);
        Assert.Throws<NasUserException>(() => fresh.ReadMeta(new string('0', 64)));
    }

    [Fact]
    public void Constructor_must_reject_choices_with_too_many_values_and_bad_specs()
    {
        using var dir = new TempDirectory();
        var multi = SearchSpace.Create("multi", [Choice.Layer("op", "a", "b"), Choice.Input("in", 12, nChosen: 6)]); // 924 subsets

        Assert.Contains("'in'", Assert.Throws<NasUserException>(() => Backend(dir.Path, multi)).Message);
        Assert.Throws<NasUserException>(() => Backend(dir.Path, spec: Spec(temperature: 0)));
        Assert.Throws<NasUserException>(() => Backend(dir.Path, spec: Spec(hidden: 0)));
        Assert.Throws<NasUserException>(() => Backend(dir.Path, spec: Spec(lr: -1)));
        Assert.Throws<NasUserException>(() => Backend(dir.Path, spec: Spec(clip: double.NaN)));
    }

    [Fact]
    public void Update_must_reject_foreign_samples_and_mismatched_advantages()
    {
        using var dir = new TempDirectory();
        using var backend = Backend(dir.Path);
        var policy = backend.Initialize(Meta());
        var samples = backend.Sample(policy, 2, Xoshiro256.FromSeed(1));

        Assert.Throws<ArgumentException>(() => backend.Update(policy, samples, Advantages(1), Meta()));
        Assert.Throws<ArgumentException>(() => backend.Update(policy, [], [], Meta()));
        Assert.Throws<ArgumentException>(() => backend.Update(policy, samples, Advantages(1, double.NaN), Meta()));
        var bad = samples[0].With("normal/input_2_0", "2");
        Assert.Throws<SearchSpaceException>(() => backend.Update(policy, [bad, samples[1]], Advantages(1, 1), Meta()));
        var foreign = Mixed().Sample(Xoshiro256.FromSeed(1));
        Assert.Throws<SearchSpaceException>(() => backend.Update(policy, [foreign, samples[1]], Advantages(1, 1), Meta()));
        // A failed update leaves the backend usable and the policy unchanged.
        var rng = Xoshiro256.StateFromSeed(5);
        using var fresh = Backend(dir.Path);
        Assert.Equal<Architecture>(fresh.Sample(policy, 5, new Xoshiro256(rng)), backend.Sample(policy, 5, new Xoshiro256(rng)));
    }

    [Fact]
    public void Update_must_clip_the_gradient_norm()
    {
        using var dir = new TempDirectory();
        using var clipped = Backend(dir.Path, spec: Spec(clip: 1.0));
        using var unclipped = Backend(dir.Path, spec: Spec(clip: 0));
        var store = new CheckpointStore(dir.Path);
        var policy = clipped.Initialize(Meta());
        Assert.Equal(policy, unclipped.Initialize(Meta())); // the clip is no part of the weights
        var samples = clipped.Sample(policy, 8, Xoshiro256.FromSeed(3));
        var adv = Advantages(1000, -1000, 500, -250, 1000, 0, -750, 300);

        var c = clipped.Update(policy, samples, adv, Meta(step: 1));
        var u = unclipped.Update(policy, samples, adv, Meta(step: 1));

        Assert.True(c.GradNorm > 1.0, $"gradient norm {c.GradNorm}");
        Assert.Equal(c.GradNorm, u.GradNorm);
        Assert.Equal(c.Loss, u.Loss);
        // After one step m = (1 - beta1) * g: its norm shows the gradient Adam saw.
        Assert.InRange(MomentNorm(store, c.Checkpoint), 0.1 * 0.999, 0.1 * 1.0001);
        Assert.InRange(MomentNorm(store, u.Checkpoint), 0.1 * c.GradNorm * 0.999, 0.1 * c.GradNorm * 1.001);
        var weights = store.Load(c.Checkpoint).Where(t => t.Name.StartsWith("policy/", StringComparison.Ordinal)).SelectMany(t => Floats(t.Data));
        Assert.All(weights, w => Assert.True(float.IsFinite(w) && Math.Abs(w) < 0.1 + 0.05 * 1.01));
        Assert.True(clipped.Sample(c.Checkpoint, 10, Xoshiro256.FromSeed(1)).All(Micro().Contains));
    }

    [Fact]
    public void Probabilities_must_be_a_distribution_that_depends_on_the_prefix()
    {
        using var dir = new TempDirectory();
        var space = Mixed();
        using var backend = Backend(dir.Path, space, Spec(hidden: 32, tanh: 0));
        var policy = backend.Initialize(Meta());
        var a = new Architecture([new("stem", "conv3"), new("cell/in_0", "0"), new("width", "8")]);
        var b = a.With("stem", "skip");

        var first = backend.Probabilities(policy, new Architecture([]), "stem");
        var pa = backend.Probabilities(policy, a, "cell/in_1");
        var pb = backend.Probabilities(policy, b, "cell/in_1");

        Assert.Equal(3, first.Length);
        Assert.Equal(5, pa.Length);
        Assert.Equal(1.0, pa.Sum(), 5);
        Assert.Equal(1.0, first.Sum(), 5);
        Assert.NotEqual<double>(pa, pb);
        Assert.Equal<double>(first, backend.Probabilities(policy, a, "stem")); // later decisions of the prefix are ignored
        Assert.Equal(1.0, Assert.Single(backend.Probabilities(policy, a.With("cell/in_1", "4").With("head", "linear"), "cell/in_2")));
        Assert.Throws<ArgumentException>(() => backend.Probabilities(policy, new Architecture([new("stem", "conv3")]), "width"));
        Assert.Throws<SearchSpaceException>(() => backend.Probabilities(policy, a, "nope"));
    }

    [Fact]
    public void Draw_must_invert_the_cdf_and_survive_rounding()
    {
        double[] p = [0.25, 0, 0.5, 0.25];
        Assert.Equal(0, TorchPolicyBackend.Draw(p, 0.0));
        Assert.Equal(0, TorchPolicyBackend.Draw(p, 0.2499));
        Assert.Equal(2, TorchPolicyBackend.Draw(p, 0.25));
        Assert.Equal(3, TorchPolicyBackend.Draw(p, 0.75));
        Assert.Equal(2, TorchPolicyBackend.Draw([0.3, 0.3, 0.39999, 0], 0.9999999)); // sums below 1: last possible index
    }

    private static double MomentNorm(CheckpointStore store, string checkpoint) =>
        Math.Sqrt(store.Load(checkpoint).Where(t => t.Name.StartsWith("adam_m/", StringComparison.Ordinal))
            .SelectMany(t => Floats(t.Data)).Sum(x => (double)x * x));

    private static float[] Floats(byte[] data)
    {
        var result = new float[data.Length / 4];
        for (var i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(4 * i));
        return result;
    }
}
