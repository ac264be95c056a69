using NasActors.Torch.Mutables;
using NasActors.Torch.Tests.Support;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Torch.Ops;
using NasActors.Torch.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Tests.Spaces;

public class EnasMicroSupernetTests
{
    [Theory]
    [InlineData(1, new[] { 28 })]
    [InlineData(2, new[] { 28, 14, 14 })]
    [InlineData(3, new[] { 28, 14, 14, 7, 7 })]
    public void Supernet_must_give_logits_for_random_paths(int stages, int[] resolutions)
    {
        var spec = TinySpecs.Enas(stages);
        var space = EnasMicroSpace.Create(spec);
        using var net = new EnasMicroSupernet(spec);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(3, 1, 28, 28);
        var rng = Xoshiro256.FromSeed(stages);

        for (var i = 0; i < 4; i++)
        {
            var y = net.forward(x, space.Sample(rng));
            Assert.Equal(new long[] { 3, 10 }, y.shape);
            Assert.True(y.isfinite().all().item<bool>());
        }
        Assert.Equal(resolutions, net.Cells.Select(c => c.Resolution));
        Assert.Equal(stages == 1 ? ["normal"] : ["normal", "reduce", "normal"], net.Cells.Take(3).Select(c => c.CellType));
        Assert.Equal(8 << (stages - 1), net.LastChannels);
    }

    [Fact]
    public void Supernet_must_halve_the_resolution_with_ceiling_up_to_four_stages()
    {
        var spec = new EnasMicroSpec(4, 1, 1, 4, ["identity", "sep_conv_3x3"]);
        var space = EnasMicroSpace.Create(spec);
        using var net = new EnasMicroSupernet(spec);
        using var scope = torch.NewDisposeScope();

        var y = net.forward(torch.randn(2, 1, 28, 28), space.Sample(Xoshiro256.FromSeed(4)));

        Assert.Equal(new long[] { 2, 10 }, y.shape);
        Assert.Equal([28, 14, 14, 7, 7, 4, 4], net.Cells.Select(c => c.Resolution));
        Assert.Equal([4, 8, 8, 16, 16, 32, 32], net.Cells.Select(c => c.Channels));
        // The normal cell after the last reduction reads the 7x7 reduction-cell input of its predecessor through stride 2.
        Assert.Equal((16, 7), net.Cells[6].Input0);
        Assert.Equal(2, net.Cells[6].Preprocess0.Conv.stride[0]);
        Assert.Equal(1, net.Cells[6].Preprocess1.Conv.stride[0]);
    }

    [Fact]
    public void Supernet_must_run_every_op_in_every_slot()
    {
        var spec = TinySpecs.Enas(2);
        var space = EnasMicroSpace.Create(spec);
        using var net = new EnasMicroSupernet(spec);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 1, 28, 28);
        var wiring = space.Sample(Xoshiro256.FromSeed(8));

        foreach (var op in spec.Ops)
        {
            var arch = new Architecture(wiring.Choices.Select(kv => kv.Key.Contains("/op_") ? KeyValuePair.Create(kv.Key, op) : kv));
            Assert.Equal(new long[] { 2, 10 }, net.forward(x, arch).shape);
        }
    }

    [Fact]
    public void Op_choices_must_get_gradients_only_when_chosen()
    {
        var spec = TinySpecs.Enas(2);
        var space = EnasMicroSpace.Create(spec);
        using var net = new EnasMicroSupernet(spec);
        var rng = Xoshiro256.FromSeed(21);
        var sepConvSeen = new HashSet<string>();

        for (var i = 0; i < 6; i++)
        {
            var arch = space.Sample(rng);
            net.zero_grad(true);
            using (var scope = torch.NewDisposeScope())
                net.forward(torch.randn(4, 1, 28, 28), arch).sum().backward();

            foreach (var cell in net.Cells)
            {
                // A cell whose output no later cell reads (no node picks that input) is dead on this path: it runs
                // but learns nothing. Every node of a live cell reaches its output (all nodes are concatenated).
                var live = cell.Output.Conv.weight!.grad is not null;
                foreach (var choice in cell.Ops)
                    foreach (var (name, op) in choice.Candidates)
                    {
                        var chosen = arch[choice.Key] == name;
                        foreach (var p in op.parameters())
                            Assert.True((chosen && live) == p.grad is not null, $"{choice.Key}={name} chosen={chosen} live={live}");
                        if (chosen && live && op is SepConv) sepConvSeen.Add(choice.Key + "=" + name);
                    }
            }
            Assert.NotNull(net.Stem.Conv.weight!.grad);
            Assert.NotNull(net.Classifier.weight!.grad);
            Assert.NotNull(net.Cells[^1].Output.Conv.weight!.grad);
        }
        Assert.True(sepConvSeen.Count > 4); // the random paths did pick separable convs in several slots
    }

    [Fact]
    public void Forward_must_reject_an_architecture_outside_the_space()
    {
        var spec = TinySpecs.Enas(1);
        var space = EnasMicroSpace.Create(spec);
        using var net = new EnasMicroSupernet(spec);
        using var scope = torch.NewDisposeScope();
        var arch = space.Sample(Xoshiro256.FromSeed(1));
        var x = torch.randn(1, 1, 28, 28);

        Assert.Throws<SearchSpaceException>(() => net.forward(x, arch.With("reduce/op_2_0", "identity")));
        Assert.Throws<SearchSpaceException>(() => net.forward(x, arch.With("normal/input_3_1", "3")));
        Assert.Throws<SearchSpaceException>(() => net.forward(x, arch.With("normal/op_2_0", "conv_7x7")));
    }
}
