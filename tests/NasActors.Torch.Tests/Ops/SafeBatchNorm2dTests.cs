using NasActors.Torch.Ops;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Tests.Ops;

public class SafeBatchNorm2dTests
{
    [Theory]
    [InlineData(true, 0.1)]
    [InlineData(false, 0.1)]
    [InlineData(true, null)] // cumulative average, as BN recalibration may use
    public void SafeBatchNorm2d_must_train_and_evaluate_bit_for_bit_as_nn_BatchNorm2d(bool affine, double? momentum)
    {
        using var scope = torch.NewDisposeScope();
        using var theirs = nn.BatchNorm2d(3, affine: affine);
        using var ours = new SafeBatchNorm2d(3, affine: affine);
        theirs.momentum = momentum;
        ours.momentum = momentum;
        // The same names, so checkpoints and model.safetensors written before read the same.
        Assert.Equal(theirs.state_dict().Keys.Order(), ours.state_dict().Keys.Order());
        var gen = new torch.Generator(7);
        using (torch.no_grad())
            if (affine)
            {
                var w = torch.rand(3, generator: gen);
                theirs.weight.copy_(w);
                ours.weight.copy_(w);
            }

        for (var step = 0; step < 5; step++)
        {
            var x = torch.randn([4, 3, 5, 5], generator: gen) * (step + 1);
            Assert.True(theirs.call(x).eq(ours.call(x)).all().item<bool>());
        }
        Assert.Equal(5L, ours.num_batches_tracked!.item<long>());
        foreach (var (name, t) in theirs.state_dict())
            Assert.True(t.eq(ours.state_dict()[name]).all().item<bool>(), name);

        theirs.eval();
        ours.eval();
        var probe = torch.randn([2, 3, 5, 5], generator: gen);
        Assert.True(theirs.call(probe).eq(ours.call(probe)).all().item<bool>());
        Assert.Equal(5L, ours.num_batches_tracked!.item<long>()); // eval counts nothing
    }

    [Fact]
    public void SafeBatchNorm2d_must_refuse_input_that_is_not_4D()
    {
        using var bn = new SafeBatchNorm2d(3);
        using var x = torch.zeros(2, 3);
        Assert.Throws<ArgumentException>(() => bn.call(x));
    }
}
