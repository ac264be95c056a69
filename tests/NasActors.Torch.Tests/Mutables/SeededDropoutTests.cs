using NasActors.Core.SearchSpaces;
using NasActors.Torch.Mutables;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Tests.Mutables;

public class SeededDropoutTests
{
    private sealed class Net : nn.Module<Tensor, Tensor>
    {
        private readonly SeededDropout drop;
        private readonly SeededDropout fixedDrop;

        public Net() : base(nameof(Net))
        {
            drop = new SeededDropout(new ValueChoice<double>("rate", 0.25, 0.5));
            fixedDrop = new SeededDropout(0.1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => fixedDrop.call(drop.call(x));
    }

    [Fact]
    public void SeededDropout_must_repeat_its_masks_for_a_seed_and_stop_in_eval_mode()
    {
        using var space = ModelSpace.Create("drop", new Net(), 1, 100);
        Assert.True(space.Space.Choices.SequenceEqual([Choice.Value("rate", "0.25", "0.5")]));
        var arch = new Architecture([KeyValuePair.Create("rate", "0.5")]);
        using var x = torch.ones(4, 100);
        space.Model.train();
        space.Seed(7);
        using var a = space.Forward(x, arch);
        space.Seed(7);
        using var b = space.Forward(x, arch);
        space.Seed(8);
        using var c = space.Forward(x, arch);
        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.eq(c).all().item<bool>());
        // Kept values are scaled by 1/(1-p) for each dropout: 1 / 0.5 / 0.9.
        var kept = a.masked_select(a.ne(0)).data<float>().ToArray();
        Assert.All(kept, v => Assert.Equal(1 / 0.5f / 0.9f, v, 4));
        var dropped = a.eq(0).sum().item<long>() / 400.0;
        Assert.InRange(dropped, 0.45, 0.65); // 1 - 0.5 * 0.9 = 0.55 expected
        space.Model.eval();
        using var d = space.Forward(x, arch);
        Assert.True(d.eq(x).all().item<bool>());
    }
}
