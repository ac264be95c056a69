using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Torch.Training;
using TorchSharp;

namespace NasActors.Torch.Tests.Training;

public class TorchSposBackendTests
{
    private static SliceResult Train(ITrainerBackend b, string? from, long first, int steps, int slot = 0, int slots = 1) =>
        b.Trainer().TrainSlice(new SupernetSlice(0, slot, slots, from, first, steps), _ => { }, CancellationToken.None);

    [Fact]
    public void TrainSlice_must_be_deterministic()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        using var a = factory.Create("cpu");
        using var b = factory.Create("cpu:1");

        var first = Train(a, null, 0, 4);
        var again = Train(a, null, 0, 4);     // same backend, after it has moved on
        var other = Train(b, null, 0, 4);     // another backend
        var next = Train(a, first.Checkpoint, 4, 3);
        var nextOther = Train(b, other.Checkpoint, 4, 3);

        Assert.Equal(first.Checkpoint, again.Checkpoint);
        Assert.Equal(first.Checkpoint, other.Checkpoint);
        Assert.Equal(first.MeanLoss, other.MeanLoss);
        Assert.Equal(next.Checkpoint, nextOther.Checkpoint);
        Assert.NotEqual(first.Checkpoint, next.Checkpoint);
        Assert.Equal(4 * 16, first.Images);
    }

    [Fact]
    public void TrainSlice_resumed_from_a_checkpoint_must_equal_the_uninterrupted_slice()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        using var a = factory.Create("cpu");
        using var b = factory.Create("cpu");

        var whole = Train(a, null, 0, 7, slot: 1, slots: 2);
        var head = Train(b, null, 0, 3, slot: 1, slots: 2);
        Train(b, null, 0, 2); // b's module moves elsewhere: the resume must come from the checkpoint alone
        var tail = Train(b, head.Checkpoint, 3, 4, slot: 1, slots: 2);

        Assert.Equal(whole.Checkpoint, tail.Checkpoint);
        Assert.Equal(whole.MeanLoss * 7, head.MeanLoss * 3 + tail.MeanLoss * 4, 9);
    }

    [Fact]
    public void TrainSlice_slots_must_differ_and_merge_to_the_average()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        using var backend = factory.Create("cpu");
        var store = new CheckpointStore(dir.Path);

        var s0 = Train(backend, null, 0, 2, slot: 0, slots: 2);
        var s1 = Train(backend, null, 0, 2, slot: 1, slots: 2);
        var merged = backend.Trainer().Merge([s0.Checkpoint, s1.Checkpoint], CancellationToken.None);

        Assert.NotEqual(s0.Checkpoint, s1.Checkpoint);
        var a = store.Load(s0.Checkpoint);
        var b = store.Load(s1.Checkpoint);
        var m = store.Load(merged);
        var i = a.ToList().FindIndex(t => t.Name == "model/stem.conv.weight");
        var va = BitConverter.ToSingle(a[i].Data, 0);
        var vb = BitConverter.ToSingle(b[i].Data, 0);
        Assert.Equal((float)(((double)va + vb) / 2), BitConverter.ToSingle(m[i].Data, 0));
        Assert.Equal(2L, BitConverter.ToInt64(m.Single(t => t.Name == "step").Data));
        Assert.Contains(m, t => t.Name.StartsWith("momentum/", StringComparison.Ordinal));
        Assert.Contains(m, t => t.Name.EndsWith("running_var", StringComparison.Ordinal));
    }

    [Fact]
    public void Merge_of_identical_checkpoints_must_return_the_same_weights()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        using var backend = factory.Create("cpu");
        var s = Train(backend, null, 0, 2);

        Assert.Equal(s.Checkpoint, backend.Trainer().Merge([s.Checkpoint, s.Checkpoint], CancellationToken.None));
        Assert.Equal(s.Checkpoint, backend.Trainer().Merge([s.Checkpoint], CancellationToken.None));
    }

    [Fact]
    public void TrainSlice_must_lower_the_loss_on_learnable_data()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path, spec: new SupernetSpec(8, [8, 16], [1, 1], ["shuffle_3x3"]));
        using var backend = factory.Create("cpu");

        var early = Train(backend, null, 0, 20);
        var later = Train(backend, early.Checkpoint, 20, 40);
        var late = Train(backend, later.Checkpoint, 60, 20);

        Assert.True(late.MeanLoss < early.MeanLoss * 0.7, $"loss {early.MeanLoss} -> {late.MeanLoss}");
        Assert.True(late.Accuracy > early.Accuracy);
    }

    [Fact]
    public void TrainSlice_must_report_progress_and_honour_cancellation()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        using var backend = factory.Create("cpu");
        var reports = new List<TrainProgress>();

        Train(backend, null, 0, 0); // zero steps: just the initial checkpoint
        backend.Trainer().TrainSlice(new SupernetSlice(3, 0, 1, null, 0, 12), reports.Add, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.Equal([10L, 12L], reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.Equal(3, r.Round));
        Assert.Equal(12 * 16, reports[^1].Images);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            backend.Trainer().TrainSlice(new SupernetSlice(0, 0, 1, null, 0, 5), _ => { }, cts.Token));
    }

    [Fact]
    public void Score_must_be_deterministic_and_independent_of_what_was_scored_before()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        using var a = factory.Create("cpu");
        using var b = factory.Create("cpu");
        var ckpt = Train(a, null, 0, 6).Checkpoint;
        var rng = Xoshiro256.FromSeed(99);
        var x = factory.Space.Sample(rng);
        var y = factory.Space.Sample(rng);

        var ax = a.Evaluator().Score(x, ckpt, EvalSplit.Validation, CancellationToken.None);
        var ay = a.Evaluator().Score(y, ckpt, EvalSplit.Validation, CancellationToken.None);
        var ax2 = a.Evaluator().Score(x, ckpt, EvalSplit.Validation, CancellationToken.None);
        var by = b.Evaluator().Score(y, ckpt, EvalSplit.Validation, CancellationToken.None);
        var bx = b.Evaluator().Score(x, ckpt, EvalSplit.Validation, CancellationToken.None);

        Assert.Equal(ax, ax2);
        Assert.Equal(ax, bx);
        Assert.Equal(ay, by);
        Assert.Equal(factory.Costs.Cost(x), new ArchitectureCost(ax.Flops, ax.Params));
        Assert.InRange(ax.Accuracy, 0, 1);
        Assert.True(ax.Loss > 0);
    }

    [Fact]
    public void Backend_must_not_leak_tensors()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        using var backend = factory.Create("cpu");
        var arch = factory.Space.Sample(Xoshiro256.FromSeed(3));
        var warm = Train(backend, null, 0, 2);
        backend.Evaluator().Score(arch, warm.Checkpoint, EvalSplit.Validation, CancellationToken.None);
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        var s0 = Train(backend, warm.Checkpoint, 2, 5, slot: 0, slots: 2);
        var s1 = Train(backend, warm.Checkpoint, 2, 5, slot: 1, slots: 2);
        var merged = backend.Trainer().Merge([s0.Checkpoint, s1.Checkpoint], CancellationToken.None);
        backend.Evaluator().Score(arch, merged, EvalSplit.Validation, CancellationToken.None);
        backend.Evaluator().Score(arch, merged, EvalSplit.Test, CancellationToken.None);
        Train(backend, null, 0, 1);

        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Score_must_not_change_the_training_result()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        using var a = factory.Create("cpu");
        using var b = factory.Create("cpu");
        var ckpt = Train(a, null, 0, 3).Checkpoint;

        a.Evaluator().Score(factory.Space.Sample(Xoshiro256.FromSeed(1)), ckpt, EvalSplit.Test, CancellationToken.None);

        Assert.Equal(Train(b, ckpt, 3, 3).Checkpoint, Train(a, ckpt, 3, 3).Checkpoint);
    }

    [Fact]
    public void Score_must_reject_an_architecture_from_another_space()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        using var backend = factory.Create("cpu");
        var ckpt = Train(backend, null, 0, 1).Checkpoint;
        var bad = new Architecture([KeyValuePair.Create("stage9/block0", "shuffle_3x3")]);

        Assert.Throws<SearchSpaceException>(() => backend.Evaluator().Score(bad, ckpt, EvalSplit.Validation, CancellationToken.None));
    }

    [Fact]
    public void Checkpoint_from_another_supernet_must_be_rejected()
    {
        using var dir = new TempDirectory();
        using var small = TinySpecs.Factory(dir.Path);
        using var big = TinySpecs.Factory(dir.Path, spec: TinySpecs.TwoBlockStage());
        using var a = small.Create("cpu");
        using var b = big.Create("cpu");
        var ckpt = Train(a, null, 0, 1).Checkpoint;

        var e = Assert.Throws<NasUserException>(() => Train(b, ckpt, 1, 1));
        Assert.Contains("does not fit this supernet", e.Message);
    }

    [Theory]
    [InlineData("cuda:0", "needs a CUDA build")]
    [InlineData("cuda", "needs a CUDA build")]
    [InlineData("tpu:0", "unknown trainer device")]
    [InlineData("cpu:x", "unknown trainer device")]
    public void Create_must_reject_devices_this_build_cannot_use(string device, string message)
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);

        var e = Assert.Throws<NasUserException>(() => factory.Create(device));

        Assert.Contains(message, e.Message);
        Assert.Contains(device, e.Message);
    }

    [Fact]
    public void Factory_must_expose_the_spos_space_and_its_costs()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);

        Assert.Equal(["stage0/block0", "stage1/block0"], factory.Space.Choices.Select(c => c.Key));
        Assert.Equal(8, ((CostTable)factory.Costs).Entries.Count);
        Assert.True(factory.Costs.Minimum(factory.Space).Flops > 0);
    }

    [Fact]
    public void Factory_must_report_missing_data_on_create()
    {
        using var dir = new TempDirectory();
        using var factory = new TorchSupernetFactory(TinySpecs.Spos, TinySpecs.Supernet(), [], TinySpecs.Train(),
            new DataSpec(dir.Combine("none"), 10), dir.Combine("ckpt"), intraOpThreads: 1);

        Assert.Equal(8, ((CostTable)factory.Costs).Entries.Count); // costs need no data
        Assert.Contains("Fashion-MNIST not found", Assert.Throws<NasUserException>(() => factory.Validate(["cpu"])).Message);
        Assert.Contains("Fashion-MNIST not found", Assert.Throws<NasUserException>(() => factory.Create("cpu")).Message);
    }

    [Fact]
    public void Validate_must_reject_bad_devices_and_a_batch_larger_than_the_train_split()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        using var huge = TinySpecs.Factory(dir.Path, train: TinySpecs.Train(batchSize: 1000));

        factory.Validate(["cpu", "cpu:1"]);
        Assert.Contains("cuda:0", Assert.Throws<NasUserException>(() => factory.Validate(["cpu", "cuda:0"])).Message);
        Assert.Contains("fewer than one batch", Assert.Throws<NasUserException>(() => huge.Validate(["cpu"])).Message);
    }
}
