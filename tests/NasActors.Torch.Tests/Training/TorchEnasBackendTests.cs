using System.Collections.Immutable;
using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Torch.Training;
using TorchSharp;

namespace NasActors.Torch.Tests.Training;

public class TorchEnasBackendTests
{
    private static readonly SearchSpace Space = EnasMicroSpace.Create(TinySpecs.Enas());

    private const int Images = TinySpecs.RewardImages;

    private static SliceResult Train(ITrainerBackend b, string? from, long first, int steps, string? policy, int slot = 0, int slots = 1,
        int pathEvery = 1) =>
        b.Trainer().TrainSlice(new SupernetSlice(0, slot, slots, from, first, steps, policy, pathEvery), _ => { }, CancellationToken.None);

    [Fact]
    public void TrainSlice_with_a_policy_must_be_deterministic_and_depend_on_the_policy()
    {
        using var dir = new TempDirectory();
        using var data = TinySpecs.Data();
        using var a = TinySpecs.EnasBackend(dir.Path, data, () => new StubPolicy(Space));
        using var b = TinySpecs.EnasBackend(dir.Path, data, () => new StubPolicy(Space));

        var first = Train(a, null, 0, 4, "policy-a", pathEvery: 2);
        var again = Train(a, null, 0, 4, "policy-a", pathEvery: 2);
        var other = Train(b, null, 0, 4, "policy-a", pathEvery: 2);
        var next = Train(a, first.Checkpoint, 4, 3, "policy-a", slot: 1, slots: 2, pathEvery: 2);
        var nextOther = Train(b, other.Checkpoint, 4, 3, "policy-a", slot: 1, slots: 2, pathEvery: 2);
        var otherPolicy = Train(a, null, 0, 4, "policy-b", pathEvery: 2);
        var everyStep = Train(a, null, 0, 4, "policy-a", pathEvery: 1);
        var uniform = Train(a, null, 0, 4, null);
        var whole = Train(b, null, 0, 7, "policy-a", pathEvery: 2);
        var head = Train(b, null, 0, 3, "policy-a", pathEvery: 2); // resumed mid-block: block 1 spans steps 2 and 3
        var tail = Train(a, head.Checkpoint, 3, 4, "policy-a", pathEvery: 2);

        Assert.Equal(first.Checkpoint, again.Checkpoint);
        Assert.Equal(first.Checkpoint, other.Checkpoint);
        Assert.Equal(first.MeanLoss, other.MeanLoss);
        Assert.Equal(next.Checkpoint, nextOther.Checkpoint);
        Assert.NotEqual(first.Checkpoint, otherPolicy.Checkpoint);
        Assert.NotEqual(first.Checkpoint, everyStep.Checkpoint); // the slice's PathEvery decides the paths
        Assert.NotEqual(first.Checkpoint, uniform.Checkpoint);
        Assert.Equal(whole.Checkpoint, tail.Checkpoint); // resume from a checkpoint = uninterrupted
        Assert.Equal(4 * 16, first.Images);
    }

    [Fact]
    public void TrainSlice_must_sample_one_path_per_block_from_the_policy_stream()
    {
        using var dir = new TempDirectory();
        using var data = TinySpecs.Data();
        var created = 0;
        var stub = new StubPolicy(Space);
        using (var backend = TinySpecs.EnasBackend(dir.Path, data, () => { created++; return stub; }))
        {
            Train(backend, null, 0, 2, null); // uniform paths: the policy is not even created
            Assert.Equal(0, created);

            Train(backend, null, 1, 5, "p", slot: 1, slots: 3, pathEvery: 2); // steps 1..5: blocks 0, 1, 1, 2, 2

            Assert.Equal(1, created);
            Assert.Same(stub, backend.Capability<IPolicyBackend>()); // the capability is the policy that sampled the paths
            Assert.Equal(1, created);
            Assert.Equal(3, stub.Calls.Count);
            for (var block = 0; block < 3; block++)
            {
                var expected = Xoshiro256.FromSeed(Xoshiro256.Derive(TinySpecs.Train().Seed, StreamTags.PolicyPath, block, 1)).State;
                Assert.Equal(("p", 1, expected), stub.Calls[block]);
            }
            Assert.False(stub.Disposed);
        }
        Assert.True(stub.Disposed); // owned by the backend
    }

    [Fact]
    public void TrainSlice_must_train_only_the_ops_of_the_path_the_policy_samples()
    {
        using var dir = new TempDirectory();
        using var data = TinySpecs.Data();
        // Every node reads both cell inputs, so every cell is live and every chosen op learns.
        var path = new Architecture(Space.Choices.Select(c => KeyValuePair.Create(c.Key,
            c.Kind == ChoiceKind.Input ? c.Key.EndsWith("_0", StringComparison.Ordinal) ? "0" : "1"
            : c.Key.EndsWith("_0", StringComparison.Ordinal) ? "sep_conv_3x3" : "sep_conv_5x5")));
        var stub = new StubPolicy(Space, path);
        using var backend = TinySpecs.EnasBackend(dir.Path, data, () => stub);
        var store = new CheckpointStore(dir.Path);

        var start = Train(backend, null, 0, 0, "p").Checkpoint;
        var trained = Train(backend, start, 0, 3, "p").Checkpoint;

        var before = store.Load(start).ToDictionary(t => t.Name);
        var after = store.Load(trained).ToDictionary(t => t.Name);
        var opTensors = 0;
        foreach (var (name, t) in after.Where(kv => kv.Key.StartsWith("model/", StringComparison.Ordinal) && kv.Key.Contains(".choices.")))
        {
            // model/cells.<c>.ops.<k>.choices.<op>.<...>: slot = k % 2. On the path every tensor moves (weights, BN
            // affine and running statistics); off the path nothing does.
            var parts = name.Split('.');
            var slot = int.Parse(parts[3]) % 2;
            var onPath = parts[5] == (slot == 0 ? "sep_conv_3x3" : "sep_conv_5x5");
            var changed = !t.Data.AsSpan().SequenceEqual(before[name].Data);
            Assert.True(onPath == changed, $"{name}: on path {onPath}, changed {changed}");
            opTensors++;
        }
        Assert.True(opTensors > 0);
        Assert.All(stub.Calls, c => Assert.Equal("p", c.Policy));
    }

    [Fact]
    public void TrainSlice_with_a_policy_must_fail_on_a_backend_without_one()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path); // SPOS
        using var backend = factory.Create("cpu");

        Assert.Throws<NasUserException>(() => Train(backend, null, 0, 1, "p"));
    }

    [Fact]
    public void ScoreMinibatch_must_be_deterministic_and_independent_of_earlier_calls()
    {
        using var dir = new TempDirectory();
        using var data = TinySpecs.Data();
        using var a = TinySpecs.EnasBackend(dir.Path, data, () => new StubPolicy(Space));
        using var b = TinySpecs.EnasBackend(dir.Path, data, () => new StubPolicy(Space));
        var ckpt = Train(a, null, 0, 6, "p").Checkpoint;
        var rng = Xoshiro256.FromSeed(5);
        var x = Space.Sample(rng);
        var y = Space.Sample(rng);

        var ax0 = a.Evaluator().ScoreMinibatch(x, ckpt, 0, Images, CancellationToken.None);
        var ay1 = a.Evaluator().ScoreMinibatch(y, ckpt, 1, Images, CancellationToken.None);
        var ax1 = a.Evaluator().ScoreMinibatch(x, ckpt, 1, Images, CancellationToken.None);
        a.Evaluator().Score(y, ckpt, EvalSplit.Validation, CancellationToken.None);
        var ax0Again = a.Evaluator().ScoreMinibatch(x, ckpt, 0, Images, CancellationToken.None);
        var ax0Wrapped = a.Evaluator().ScoreMinibatch(x, ckpt, 4, Images, CancellationToken.None); // 64 images / 16 = 4 batches
        var bx1 = b.Evaluator().ScoreMinibatch(x, ckpt, 1, Images, CancellationToken.None);
        var bx0 = b.Evaluator().ScoreMinibatch(x, ckpt, 0, Images, CancellationToken.None);
        var by1 = b.Evaluator().ScoreMinibatch(y, ckpt, 1, Images, CancellationToken.None);

        Assert.Equal(ax0, ax0Again);
        Assert.Equal(ax0, ax0Wrapped);
        Assert.Equal(ax0, bx0);
        Assert.Equal(ax1, bx1);
        Assert.Equal(ay1, by1);
        Assert.NotEqual(ax0, ax1); // another batch of images
        Assert.Equal(Math.Round(ax0.Accuracy * 16), ax0.Accuracy * 16); // one minibatch of 16
        using var factory = TinySpecs.EnasFactory(dir.Path);
        Assert.Equal(factory.Costs.Cost(x), new ArchitectureCost(ax0.Flops, ax0.Params));
        Assert.True(ax0.Loss > 0);
    }

    [Fact]
    public void ScoreMinibatch_must_leave_the_checkpoint_state_untouched()
    {
        using var dir = new TempDirectory();
        using var data = TinySpecs.Data();
        using var a = TinySpecs.EnasBackend(dir.Path, data, () => new StubPolicy(Space));
        using var b = TinySpecs.EnasBackend(dir.Path, data, () => new StubPolicy(Space));
        var ckpt = Train(a, null, 0, 3, "p").Checkpoint;
        var arch = Space.Sample(Xoshiro256.FromSeed(2));

        var score = b.Evaluator().Score(arch, ckpt, EvalSplit.Validation, CancellationToken.None);
        for (var i = 0; i < 3; i++) a.Evaluator().ScoreMinibatch(arch, ckpt, i, Images, CancellationToken.None);

        Assert.Equal(score, a.Evaluator().Score(arch, ckpt, EvalSplit.Validation, CancellationToken.None));
        for (var i = 0; i < 2; i++) a.Evaluator().ScoreMinibatch(arch, ckpt, i, Images, CancellationToken.None);
        Assert.Equal(Train(b, ckpt, 3, 2, "p").Checkpoint, Train(a, ckpt, 3, 2, "p").Checkpoint);
        // A zero-step slice from the checkpoint rewrites exactly its state: BN statistics did not move.
        a.Evaluator().ScoreMinibatch(arch, ckpt, 0, Images, CancellationToken.None);
        Assert.Equal(ckpt, Train(a, ckpt, 3, 0, "p").Checkpoint);
    }

    [Fact]
    public void ScoreMinibatch_must_cut_batches_of_the_size_asked_for()
    {
        using var dir = new TempDirectory();
        using var data = TinySpecs.Data();
        using var a = TinySpecs.EnasBackend(dir.Path, data, () => new StubPolicy(Space));
        using var b = TinySpecs.EnasBackend(dir.Path, data, () => new StubPolicy(Space));
        var ckpt = Train(a, null, 0, 4, null).Checkpoint;
        var x = Space.Sample(Xoshiro256.FromSeed(8));

        var small = a.Evaluator().ScoreMinibatch(x, ckpt, 1, 16, CancellationToken.None);
        var large = a.Evaluator().ScoreMinibatch(x, ckpt, 1, 32, CancellationToken.None);
        var single = a.Evaluator().ScoreMinibatch(x, ckpt, 5, 1, CancellationToken.None);

        Assert.NotEqual(small, large);
        Assert.Equal(Math.Round(large.Accuracy * 32), large.Accuracy * 32); // one minibatch of 32
        Assert.Contains(single.Accuracy, new[] { 0.0, 1.0 });
        Assert.Equal(large, a.Evaluator().ScoreMinibatch(x, ckpt, 3, 32, CancellationToken.None)); // 64 / 32 = 2 batches
        Assert.Equal(large, b.Evaluator().ScoreMinibatch(x, ckpt, 1, 32, CancellationToken.None)); // no state from earlier sizes
        Assert.Equal(small, b.Evaluator().ScoreMinibatch(x, ckpt, 1, 16, CancellationToken.None));
        Assert.Equal(a.Evaluator().ScoreMinibatch(x, ckpt, 0, 64, CancellationToken.None), b.Evaluator().ScoreMinibatch(x, ckpt, 7, 64, CancellationToken.None));
    }

    [Fact]
    public void ScoreMinibatch_must_reject_a_validation_split_smaller_than_one_batch()
    {
        using var dir = new TempDirectory();
        using var data = TinySpecs.Data();
        using var backend = TinySpecs.EnasBackend(dir.Path, data, () => new StubPolicy(Space));
        var ckpt = Train(backend, null, 0, 1, null).Checkpoint;
        var arch = Space.Sample(Xoshiro256.FromSeed(1));

        var e = Assert.Throws<NasUserException>(() => backend.Evaluator().ScoreMinibatch(arch, ckpt, 0, 65, CancellationToken.None));
        Assert.Contains("reward-images", e.Message);
        Assert.Contains("65", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.Evaluator().ScoreMinibatch(arch, ckpt, 0, 0, CancellationToken.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.Evaluator().ScoreMinibatch(arch, ckpt, -1, 16, CancellationToken.None));
        backend.Evaluator().ScoreMinibatch(arch, ckpt, 0, 64, CancellationToken.None); // the whole split is one batch
    }

    [Fact]
    public void Enas_backend_must_not_leak_tensors()
    {
        using var dir = new TempDirectory();
        using var data = TinySpecs.Data();
        using var backend = TinySpecs.EnasBackend(dir.Path, data, () => new StubPolicy(Space));
        var arch = Space.Sample(Xoshiro256.FromSeed(3));
        var warm = Train(backend, null, 0, 2, "p");
        backend.Evaluator().ScoreMinibatch(arch, warm.Checkpoint, 0, Images, CancellationToken.None);
        backend.Evaluator().Score(arch, warm.Checkpoint, EvalSplit.Validation, CancellationToken.None);
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        var s0 = Train(backend, warm.Checkpoint, 2, 3, "p", slot: 0, slots: 2);
        var s1 = Train(backend, warm.Checkpoint, 2, 3, "q", slot: 1, slots: 2);
        var merged = backend.Trainer().Merge([s0.Checkpoint, s1.Checkpoint], CancellationToken.None);
        backend.Evaluator().ScoreMinibatch(arch, merged, 1, Images, CancellationToken.None);
        backend.Evaluator().ScoreMinibatch(arch, merged, 2, Images, CancellationToken.None);
        backend.Evaluator().Score(arch, merged, EvalSplit.Test, CancellationToken.None);

        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Enas_factory_must_expose_the_enas_space_and_its_costs()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.EnasFactory(dir.Path);

        Assert.Equal(Space.Hash, factory.Space.Hash);
        Assert.Equal(Space.Choices.Sum(c => c.Candidates.Length), ((CostTable)factory.Costs).Entries.Count);
        Assert.Equal(Path.GetFullPath(dir.Path), factory.CheckpointDirectory);
        factory.Validate(["cpu", "cpu:1"]);
    }

    [Fact]
    public void Enas_factory_must_train_and_score_with_its_policy_backend()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.EnasFactory(dir.Path);
        using var backend = factory.Create("cpu");
        var policy = backend.Policy(); // owned by the backend
        Assert.Same(policy, backend.Capability<IPolicyBackend>());
        var p = policy.Initialize(new PolicyMeta(0, 0, Xoshiro256.StateFromSeed(1)));

        var a = Train(backend, null, 0, 3, p, pathEvery: 2);
        var arch = policy.Sample(p, 1, Xoshiro256.FromSeed(4))[0];
        var m = backend.Evaluator().ScoreMinibatch(arch, a.Checkpoint, 0, Images, CancellationToken.None);

        using var other = factory.Create("cpu:1");
        Assert.NotSame(policy, other.Capability<IPolicyBackend>()); // one policy per backend (thread-confined)
        Assert.Equal(a.Checkpoint, Train(other, null, 0, 3, p, pathEvery: 2).Checkpoint);
        Assert.Equal(m, other.Evaluator().ScoreMinibatch(arch, a.Checkpoint, 0, Images, CancellationToken.None));
        Assert.Equal(p, other.Policy().Initialize(new PolicyMeta(0, 0, Xoshiro256.StateFromSeed(1))));
    }

    [Fact]
    public void Enas_factory_without_a_controller_must_train_uniform_paths_only()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.EnasFactory(dir.Path, controller: false);
        using var withController = TinySpecs.EnasFactory(dir.Path);
        using var backend = factory.Create("cpu");
        using var other = withController.Create("cpu");

        Assert.Null(backend.Capability<IPolicyBackend>());
        Assert.Throws<NasUserException>(() => Train(backend, null, 0, 1, "p"));
        Assert.Equal(Train(other, null, 0, 2, null).Checkpoint, Train(backend, null, 0, 2, null).Checkpoint);
    }

    [Fact]
    public void Enas_factory_must_reject_bad_settings()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.EnasFactory(dir.Path);
        using var hugeBatch = TinySpecs.EnasFactory(dir.Path, train: TinySpecs.Train(batchSize: 1000));
        using var noData = new TorchSupernetFactory(TinySpecs.EnasMicro, TinySpecs.Enas(), [TinySpecs.Controller()], TinySpecs.Train(),
            new DataSpec(dir.Combine("none"), 10), dir.Combine("ckpt"), intraOpThreads: 1);

        Assert.Contains("fewer than one batch", Assert.Throws<NasUserException>(() => hugeBatch.Validate(["cpu"])).Message);
        Assert.Contains("cuda:0", Assert.Throws<NasUserException>(() => factory.Validate(["cuda:0"])).Message);
        Assert.Contains("needs a CUDA build", Assert.Throws<NasUserException>(() => factory.Create("cuda:0")).Message);
        Assert.Contains("Fashion-MNIST not found", Assert.Throws<NasUserException>(() => noData.Validate(["cpu"])).Message);
        Assert.True(((CostTable)noData.Costs).Entries.Count > 0); // costs need no data
        Assert.Contains("nas.spaces.enas-micro.nodes",
            Assert.Throws<NasUserException>(() => TinySpecs.EnasFactory(dir.Path, spec: TinySpecs.Enas() with { Nodes = 0 })).Message);
        Assert.Contains("hidden-size", Assert.Throws<NasUserException>(() => new TorchSupernetFactory(TinySpecs.EnasMicro, TinySpecs.Enas(),
            [TinySpecs.Controller() with { HiddenSize = 0 }], TinySpecs.Train(), TinySpecs.Data(), dir.Path, intraOpThreads: 1)).Message);
        using var backend = factory.Create("cpu");
        Assert.Throws<ArgumentException>(() => Train(backend, null, 0, 1, "p", pathEvery: 0)); // a slice's PathEvery is at least 1
    }
}
