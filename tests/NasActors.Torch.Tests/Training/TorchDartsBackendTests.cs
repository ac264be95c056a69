using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces.Darts;
using NasActors.Core.Strategies.Darts;
using NasActors.Core.Training;
using NasActors.Torch.Training;

namespace NasActors.Torch.Tests.Training;

public class TorchDartsBackendTests
{
    private static SliceResult Train(ITrainerBackend b, string? from, long first, int steps, int slot = 0, int slots = 1) =>
        Need(b).TrainMixedSlice(new SupernetSlice(0, slot, slots, from, first, steps), _ => { }, CancellationToken.None);

    private static IDartsTrainer Need(ITrainerBackend b) =>
        b.Capability<IDartsTrainer>() ?? throw new Xunit.Sdk.XunitException("no IDartsTrainer");

    [Fact]
    public void TrainMixedSlice_must_be_deterministic_and_resume_exactly_from_a_checkpoint()
    {
        using var dir = new TempDirectory();
        using var data = TinySpecs.Data();
        using var a = TinySpecs.DartsBackend(dir.Path, data, TinySpecs.Darts());
        using var b = TinySpecs.DartsBackend(dir.Path, data, TinySpecs.Darts());

        var whole = Train(a, null, 0, 5); // crosses the epoch boundary at step 4 (the learning rate changes there)
        var again = Train(b, null, 0, 5);
        var head = Train(b, null, 0, 2);
        var tail = Train(a, head.Checkpoint, 2, 3);
        var otherSlot = Train(a, null, 0, 5, slot: 1, slots: 2);

        Assert.Equal(whole.Checkpoint, again.Checkpoint);
        Assert.Equal(whole.Checkpoint, tail.Checkpoint);
        Assert.NotEqual(whole.Checkpoint, otherSlot.Checkpoint); // another slot trains on other batches
        Assert.Equal(5 * 16, whole.Images);
        Assert.True(double.IsFinite(whole.MeanLoss) && whole.MeanLoss > 0);
    }

    [Fact]
    public void Logits_must_start_at_the_seeded_initialisation_and_move_with_architecture_steps()
    {
        using var dir = new TempDirectory();
        using var data = TinySpecs.Data();
        using var backend = TinySpecs.DartsBackend(dir.Path, data, TinySpecs.Darts());

        var fresh = Need(backend).ReadLogits(Train(backend, null, 0, 0).Checkpoint, CancellationToken.None);
        var expected = ArchitectureWeights.Initial(Xoshiro256.FromSeed(Xoshiro256.Derive(TinySpecs.Train().Seed, StreamTags.ArchitectureInit)));
        foreach (var cell in DartsSpace.CellTypes)
        {
            Assert.Equal(DartsSpace.EdgeCount, fresh[cell].Length);
            for (var e = 0; e < DartsSpace.EdgeCount; e++)
                for (var o = 0; o < DartsSpace.SearchOps.Length; o++)
                    Assert.Equal((float)expected.Logits(cell)[e][o], (float)fresh[cell][e][o]);
        }

        var trained = Need(backend).ReadLogits(Train(backend, null, 0, 3).Checkpoint, CancellationToken.None);
        foreach (var cell in DartsSpace.CellTypes)
        {
            var moved = Enumerable.Range(0, DartsSpace.EdgeCount).Sum(e => Enumerable.Range(0, DartsSpace.SearchOps.Length).Max(o => Math.Abs(trained[cell][e][o] - fresh[cell][e][o])));
            // Adam's first steps move every logit by about the learning rate (3e-4), whatever the gradient's scale.
            Assert.True(moved > DartsSpace.EdgeCount * 1e-4, $"{cell} logits barely moved ({moved})");
        }
    }

    [Fact]
    public void Second_order_must_train_differently_from_first_order_and_stay_deterministic()
    {
        using var dir = new TempDirectory();
        using var data = TinySpecs.Data();
        using var first = TinySpecs.DartsBackend(dir.Path, data, TinySpecs.Darts());
        using var second = TinySpecs.DartsBackend(dir.Path, data, TinySpecs.Darts(unrolled: true));

        var a = Train(second, null, 0, 2);
        var b = Train(second, null, 0, 2);
        var c = Train(first, null, 0, 2);

        Assert.Equal(a.Checkpoint, b.Checkpoint);
        Assert.NotEqual(a.Checkpoint, c.Checkpoint);
    }

    [Fact]
    public void A_backend_without_DARTS_settings_must_not_offer_mixed_training()
    {
        using var dir = new TempDirectory();
        using var data = TinySpecs.Data();
        using var backend = TinySpecs.DartsBackend(dir.Path, data, null);
        Assert.Null(backend.Capability<IDartsTrainer>());
        Assert.NotNull(backend.Capability<ISupernetTrainer>());
    }
}
