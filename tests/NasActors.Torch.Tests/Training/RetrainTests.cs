using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.SearchSpaces.Darts;
using NasActors.Core.Training;
using NasActors.Torch.Training;

namespace NasActors.Torch.Tests.Training;

/// <summary>Standalone, epoch-based retraining (nas.retrain, `nas train`) of a tiny DARTS evaluation network on synthetic data.</summary>
public class RetrainTests
{
    private static readonly Action<TrainProgress> Ignore = _ => { };
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>Every trick of the DARTS tutorial on, and Fashion-MNIST's crop and flip, on 320 synthetic images in batches of 32 (10 per epoch).</summary>
    private static RetrainSettings Tricks(int epochs = 3, int slots = 1, double aux = 0.4) =>
        new(epochs, 32, 0.025, 0, 0.9, 3e-4, 5, Cutout: 8, DropPath: 0.2, AuxiliaryWeight: aux, slots, CropPadding: 2, Flip: true);

    private static TorchSupernetFactory Factory(string dir) =>
        new(new DartsModule(), new DartsSpec(4, 3, DartsSpec.FashionMnist), [], TinySpecs.Train(), TinySpecs.Data(), dir, intraOpThreads: 1,
            retrainSpec: new DartsSpec(6, 3, DartsSpec.FashionMnist));

    private static Architecture Arch(TorchSupernetFactory f, long seed = 5) => f.Space.Sample(Xoshiro256.FromSeed(seed));

    [Fact]
    public void Retrain_epoch_from_a_checkpoint_must_equal_the_same_epoch_run_straight()
    {
        using var dir = new TempDirectory();
        using var factory = Factory(dir.Path);
        var arch = Arch(factory);
        var settings = Tricks();
        string[] straight;
        TrainedModel model;
        using (var a = factory.Create("cpu"))
        {
            var e0 = a.Retrainer().TrainEpoch(arch, settings, 0, 0, 0, null, Ignore, None).Checkpoint;
            var e1 = a.Retrainer().TrainEpoch(arch, settings, 1, 0, 0, e0, Ignore, None).Checkpoint;
            var e2 = a.Retrainer().TrainEpoch(arch, settings, 2, 0, 0, e1, Ignore, None).Checkpoint;
            straight = [e0, e1, e2];
            model = a.Retrainer().Test(arch, settings, e2, None);
        }
        // Another trainer (after some supernet training of its own) resumes at epoch 1 from epoch 0's checkpoint.
        using var b = factory.Create("cpu");
        b.Trainer().TrainSlice(new SupernetSlice(0, 0, 1, null, 0, 2), Ignore, None);
        var r1 = b.Retrainer().TrainEpoch(arch, settings, 1, 0, 0, straight[0], Ignore, None).Checkpoint;
        Assert.Equal(straight[1], r1); // content hashes: bit-identical weights, momentum and step
        Assert.Equal(straight[2], b.Retrainer().TrainEpoch(arch, settings, 2, 0, 0, r1, Ignore, None).Checkpoint);
        Assert.Equal(model, b.Retrainer().Test(arch, settings, straight[2], None));
        Assert.Equal(3, straight.Distinct().Count());
    }

    [Fact]
    public void Retrain_must_learn_report_progress_and_measure_the_model_without_its_auxiliary_head()
    {
        using var dir = new TempDirectory();
        using var factory = Factory(dir.Path);
        using var backend = factory.Create("cpu");
        var arch = Arch(factory, 9);
        var progress = new List<TrainProgress>();
        string? ck = null;
        var losses = new List<double>();
        for (var e = 0; e < 4; e++)
        {
            var r = backend.Retrainer().TrainEpoch(arch, Tricks(epochs: 4), e, 0, 0, ck, progress.Add, None);
            (ck, _) = (r.Checkpoint, 0);
            losses.Add(r.MeanLoss);
            Assert.Equal(320, r.Images);
        }
        Assert.True(losses[^1] < losses[0], $"loss did not fall: {string.Join(", ", losses)}");
        Assert.Contains(progress, p => p.Round == -1);
        Assert.Equal(-4, progress[^1].Round);
        Assert.Equal(40, progress[^1].Step);

        var withHead = backend.Retrainer().Test(arch, Tricks(epochs: 4), ck!, None);
        Assert.True(File.Exists(Path.Combine(dir.Path, withHead.Weights + ".ckpt")));
        // Without the auxiliary head: a network of the same size (the head is not counted), the same FLOPs (eval never runs it).
        var plain = backend.Retrainer().TrainEpoch(arch, Tricks(epochs: 1, aux: 0), 0, 0, 0, null, Ignore, None);
        var plainModel = backend.Retrainer().Test(arch, Tricks(epochs: 1, aux: 0), plain.Checkpoint, None);
        Assert.Equal((withHead.Metrics.Flops, withHead.Metrics.Params), (plainModel.Metrics.Flops, plainModel.Metrics.Params));
        Assert.True(plainModel.Metrics.Params > 0);
    }

    [Fact]
    public void Retrain_must_add_the_weighted_auxiliary_loss_to_the_training_loss()
    {
        using var dir = new TempDirectory();
        using var factory = Factory(dir.Path);
        using var backend = factory.Create("cpu");
        var arch = Arch(factory);
        var without = backend.Retrainer().TrainEpoch(arch, Tricks(epochs: 1, aux: 0), 0, 0, 0, null, Ignore, None);
        var with = backend.Retrainer().TrainEpoch(arch, Tricks(epochs: 1, aux: 0.4), 0, 0, 0, null, Ignore, None);
        // The auxiliary cross-entropy (about ln 10 at first) weighted 0.4 is added to the main loss.
        Assert.True(with.MeanLoss > without.MeanLoss + 0.4, $"{with.MeanLoss} vs {without.MeanLoss}");
    }

    [Fact]
    public void Retrain_must_crop_and_flip_fashion_images_only_when_asked()
    {
        using var dir = new TempDirectory();
        using var factory = Factory(dir.Path);
        using var backend = factory.Create("cpu");
        var arch = Arch(factory);
        var plain = Tricks(epochs: 1) with { CropPadding = 0, Flip = false };
        string Trained(RetrainSettings s) => backend.Retrainer().TrainEpoch(arch, s, 0, 0, 0, null, Ignore, None).Checkpoint;
        var none = Trained(plain);
        Assert.Equal(none, Trained(plain));
        Assert.NotEqual(none, Trained(plain with { CropPadding = 2 }));
        Assert.NotEqual(none, Trained(plain with { Flip = true }));
        Assert.Equal(Trained(plain with { Flip = true }), Trained(plain with { Flip = true })); // seeded
    }

    [Fact]
    public void Retrain_must_train_on_the_validation_split_too_only_when_asked()
    {
        using var dir = new TempDirectory();
        using var factory = Factory(dir.Path);
        using var backend = factory.Create("cpu");
        var arch = Arch(factory);
        var split = backend.Retrainer().TrainEpoch(arch, Tricks(epochs: 1), 0, 0, 0, null, Ignore, None);
        var all = backend.Retrainer().TrainEpoch(arch, Tricks(epochs: 1) with { IncludeValidation = true }, 0, 0, 0, null, Ignore, None);
        Assert.Equal((320, 384), (split.Images, all.Images)); // 320 training + 64 validation images, 12 batches of 32
        Assert.Equal(split.Checkpoint, backend.Retrainer().TrainEpoch(arch, Tricks(epochs: 1), 0, 0, 0, null, Ignore, None).Checkpoint); // back to the split alone
        Assert.Equal(all.Checkpoint, backend.Retrainer().TrainEpoch(arch, Tricks(epochs: 1) with { IncludeValidation = true }, 0, 0, 0, null, Ignore, None).Checkpoint);
    }

    [Fact]
    public void Retrain_must_slice_an_epoch_over_its_slots_deterministically_and_merge_them()
    {
        using var dir = new TempDirectory();
        using var factory = Factory(dir.Path);
        using var a = factory.Create("cpu");
        using var b = factory.Create("cpu");
        var arch = Arch(factory);
        var settings = Tricks(epochs: 2, slots: 2);
        var s0 = a.Retrainer().TrainEpoch(arch, settings, 0, 0, 0, null, Ignore, None);
        var s1 = b.Retrainer().TrainEpoch(arch, settings, 0, 0, 1, null, Ignore, None);
        Assert.Equal((160, 160), (s0.Images, s1.Images)); // every other batch
        Assert.NotEqual(s0.Checkpoint, s1.Checkpoint);
        Assert.Equal(s1.Checkpoint, a.Retrainer().TrainEpoch(arch, settings, 0, 0, 1, null, Ignore, None).Checkpoint);
        var merged = a.Retrainer().Merge([s0.Checkpoint, s1.Checkpoint], None);
        Assert.Equal(merged, b.Retrainer().Merge([s0.Checkpoint, s1.Checkpoint], None));
        Assert.NotNull(a.Retrainer().TrainEpoch(arch, settings, 1, 0, 0, merged, Ignore, None).Checkpoint);
    }

    [Fact]
    public void Retrain_in_rounds_on_one_slot_must_end_each_epoch_with_the_weights_of_the_epoch_run_whole()
    {
        using var dir = new TempDirectory();
        using var factory = Factory(dir.Path);
        using var a = factory.Create("cpu");
        using var b = factory.Create("cpu");
        var arch = Arch(factory);
        var whole = Tricks(epochs: 2);
        var e0 = a.Retrainer().TrainEpoch(arch, whole, 0, 0, 0, null, Ignore, None).Checkpoint;
        var e1 = a.Retrainer().TrainEpoch(arch, whole, 1, 0, 0, e0, Ignore, None).Checkpoint;
        // 10 batches per epoch in rounds of 3, 3 and 4: each round resumes from the previous round's checkpoint.
        var rounds = whole with { Rounds = 3 };
        string? ck = null;
        var images = new List<int>();
        var ends = new List<string>();
        for (var epoch = 0; epoch < 2; epoch++)
            for (var round = 0; round < 3; round++)
            {
                var r = b.Retrainer().TrainEpoch(arch, rounds, epoch, round, 0, ck, Ignore, None);
                images.Add(r.Images);
                ck = r.Checkpoint;
                if (round == 2) ends.Add(ck);
            }
        Assert.Equal([96, 96, 128, 96, 96, 128], images);
        Assert.Equal([e0, e1], ends); // content hashes: bit-identical weights, momentum and step
        Assert.Throws<ArgumentException>(() => b.Retrainer().TrainEpoch(arch, rounds, 0, 3, 0, e0, Ignore, None)); // no round 3
        Assert.Throws<ArgumentException>(() => b.Retrainer().TrainEpoch(arch, rounds, 0, 1, 0, null, Ignore, None)); // round 1 needs a checkpoint
    }

    [Fact]
    public void Retrain_must_refuse_an_epoch_that_does_not_follow_from_its_checkpoint()
    {
        using var dir = new TempDirectory();
        using var factory = Factory(dir.Path);
        using var backend = factory.Create("cpu");
        var arch = Arch(factory);
        Assert.Throws<ArgumentException>(() => backend.Retrainer().TrainEpoch(arch, Tricks(), 1, 0, 0, null, Ignore, None));
        Assert.Throws<ArgumentException>(() => backend.Retrainer().TrainEpoch(arch, Tricks(), 0, 0, 1, null, Ignore, None));
        Assert.Throws<ArgumentException>(() => backend.Retrainer().TrainEpoch(arch, Tricks(), 3, 0, 0, "x", Ignore, None));
    }
}
