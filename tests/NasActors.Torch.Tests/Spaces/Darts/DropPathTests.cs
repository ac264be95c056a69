using NasActors.Torch.Spaces.Darts;
using TorchSharp;

namespace NasActors.Torch.Tests.Spaces.Darts;

public class DropPathTests
{
    [Fact]
    public void DropPath_must_zero_whole_samples_with_probability_p_and_rescale_the_others_by_one_over_one_minus_p()
    {
        using var scope = torch.NewDisposeScope();
        var drop = new DropPath { Probability = 0.25 };
        drop.Seed(11);
        var x = torch.ones(4000, 2, 3, 3);
        var y = drop.Apply(x);
        var perSample = y.reshape(4000, -1);
        var min = perSample.min(1).values;
        var max = perSample.max(1).values;
        Assert.True(min.eq(max).all().item<bool>(), "a sample was dropped only in part");
        var kept = min.gt(0);
        Assert.True(min.masked_select(kept).eq(1 / 0.75f).all().item<bool>(), "kept samples are not scaled by 1/(1-p)");
        var dropped = 1 - kept.to_type(torch.float64).mean().item<double>();
        Assert.InRange(dropped, 0.22, 0.28);

        // Seeded: the same seed gives the same samples dropped; another seed other ones.
        drop.Seed(11);
        Assert.True(drop.Apply(x).eq(y).all().item<bool>());
        drop.Seed(12);
        Assert.False(drop.Apply(x).eq(y).all().item<bool>());
        // Off: the input itself.
        drop.Probability = 0;
        Assert.Same(x, drop.Apply(x));
    }

    [Fact]
    public void DartsNetwork_must_drop_paths_and_run_its_auxiliary_head_only_in_training()
    {
        using var scope = torch.NewDisposeScope();
        var spec = new Core.SearchSpaces.Darts.DartsSpec(4, 3, Core.SearchSpaces.Darts.DartsSpec.FashionMnist);
        using var space = Torch.Spaces.SupernetCatalog.CreateForRetrain(new Core.SearchSpaces.Darts.DartsModule(), spec, auxiliaryHead: true);
        var arch = space.Space.Sample(Core.Randomness.Xoshiro256.FromSeed(3));
        var net = space.Fix(arch);
        var tricks = Assert.IsAssignableFrom<Torch.Training.IRetrainable>(net);
        Torch.Training.WeightInit.Apply(net, 1);
        var x = torch.randn(8, 1, 28, 28, generator: new torch.Generator(5));
        var y = torch.tensor(new long[] { 0, 1, 2, 3, 4, 5, 6, 7 });

        net.train();
        tricks.DropPath = 0.5;
        tricks.SeedDropPath(1);
        var a = net.call(x);
        var aux = tricks.TakeAuxiliary();
        Assert.NotNull(aux);
        Assert.Equal([8L, 10L], aux!.shape);
        Assert.Null(tricks.TakeAuxiliary()); // taken once
        tricks.SeedDropPath(2);
        Assert.False(net.call(x).allclose(a), "drop path with another seed did not change the output");
        tricks.TakeAuxiliary();

        // The auxiliary loss reaches the cells below the head, not the classifier above it.
        net.zero_grad();
        tricks.SeedDropPath(1);
        net.call(x);
        torch.nn.functional.cross_entropy(tricks.TakeAuxiliary()!, y).backward();
        var grads = net.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        Assert.True(grads["stemConv.weight"] is { } g && g.abs().sum().item<float>() > 0);
        Assert.True(grads["classifier.weight"] is null || grads["classifier.weight"]!.abs().sum().item<float>() == 0);
        Assert.True(tricks.AuxiliaryParameters > 0);

        net.eval();
        Assert.True(net.call(x).allclose(net.call(x)), "evaluation is not deterministic");
        Assert.Null(tricks.TakeAuxiliary());
    }
}
