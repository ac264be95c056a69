using NasActors.Torch.Mutables;
using NasActors.Torch.Tests.Support;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Torch.Spaces;
using NasActors.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Tests.Training;

public class FlopsCounterTests
{
    [Fact]
    public void Cost_table_params_must_equal_the_parameters_a_path_actually_uses()
    {
        var spec = TinySpecs.TwoBlockStage();
        var space = SposSpace.Create(spec);
        using var net = new SposSupernet(spec);
        var table = FlopsCounter.Count(net);
        var rng = Xoshiro256.FromSeed(11);

        for (var i = 0; i < 6; i++)
        {
            var arch = space.Sample(rng);
            // Direct count: the parameters that receive a gradient from a forward/backward through this path.
            net.zero_grad(true);
            using (var scope = torch.NewDisposeScope())
                net.forward(torch.randn(2, 1, 28, 28), arch).sum().backward();
            var used = net.parameters().Where(p => p.grad is not null).Sum(p => p.numel());

            Assert.Equal(used, table.Cost(arch).Params);
        }
    }

    [Fact]
    public void Cost_table_must_have_an_entry_for_every_choice_and_candidate()
    {
        var spec = TinySpecs.TwoBlockStage();
        var space = SposSpace.Create(spec);
        using var net = new SposSupernet(spec);
        var table = FlopsCounter.Count(net);

        Assert.Equal(space.Choices.Sum(c => c.Candidates.Length), table.Entries.Count);
        foreach (var c in space.Choices)
            foreach (var v in c.Candidates)
                Assert.True(table.Entries[CostTable.EntryKey(c.Key, v)].Flops > 0);
        // Bigger kernels cost more in the same block.
        var key = space.Choices[0].Key;
        Assert.True(table.Entries[CostTable.EntryKey(key, "shuffle_7x7")].Flops > table.Entries[CostTable.EntryKey(key, "shuffle_3x3")].Flops);
    }

    [Fact]
    public void Base_flops_must_match_a_hand_count_of_stem_head_and_classifier()
    {
        using var net = new SposSupernet(TinySpecs.Supernet()); // stem 8, stages [8,16]: 28 -> 14 -> 7
        var table = FlopsCounter.Count(net);

        long stem = 8 * 28 * 28 * 1 * 9;
        long head = 32 * 7 * 7 * 16;   // 1x1 16 -> 32
        long classifier = 32 * 10;
        Assert.Equal(stem + head + classifier, table.Base.Flops);
        // stem conv 72 + BN 16; head conv 512 + BN 64; linear 320 + 10.
        Assert.Equal(72 + 16 + 512 + 64 + 320 + 10, table.Base.Params);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Enas_cost_table_must_equal_a_direct_count_of_the_path(int stages)
    {
        var spec = new EnasMicroSpec(8, 3, 1, stages, EnasMicroSpec.PaperOps);
        var space = EnasMicroSpace.Create(spec);
        using var net = new EnasMicroSupernet(spec);
        var table = FlopsCounter.Count(net);
        var rng = Xoshiro256.FromSeed(40 + stages);

        // Base by hand: every conv from its real shape at the resolution the cell runs at.
        long baseFlops = Conv(net.Stem.Conv, 28), baseParams = Numel(net.Stem) + Numel(net.Classifier);
        foreach (var cell in net.Cells)
        {
            baseFlops += Conv(cell.Preprocess0.Conv, cell.Resolution) + Conv(cell.Preprocess1.Conv, cell.Resolution) + Conv(cell.Output.Conv, cell.Resolution);
            baseParams += Numel(cell.Preprocess0) + Numel(cell.Preprocess1) + Numel(cell.Output);
        }
        baseFlops += net.LastChannels * 10;
        Assert.Equal(new ArchitectureCost(baseFlops, baseParams), table.Base);

        for (var i = 0; i < 8; i++)
        {
            var arch = space.Sample(rng);
            long flops = baseFlops, parameters = baseParams;
            foreach (var cell in net.Cells)
                foreach (var choice in cell.Ops)
                {
                    var op = choice[arch[choice.Key]];
                    flops += op.modules().OfType<Conv2d>().Sum(c => Conv(c, cell.Resolution));
                    parameters += Numel(op);
                }
            Assert.Equal(new ArchitectureCost(flops, parameters), table.Cost(arch));
        }
    }

    [Fact]
    public void Enas_cost_table_must_have_free_inputs_and_an_entry_per_candidate()
    {
        var spec = TinySpecs.Enas(2);
        var space = EnasMicroSpace.Create(spec);
        using var net = new EnasMicroSupernet(spec);
        var table = FlopsCounter.Count(net);

        Assert.Equal(space.Choices.Sum(c => c.Candidates.Length), table.Entries.Count);
        foreach (var c in space.Choices.Where(c => c.Kind == ChoiceKind.Input))
            foreach (var v in c.Candidates)
                Assert.Equal(new ArchitectureCost(0, 0), table.Entries[CostTable.EntryKey(c.Key, v)]);
        foreach (var cell in new[] { "normal", "reduce" })
        {
            ArchitectureCost E(string op) => table.Entries[CostTable.EntryKey(EnasMicroSpace.OpKey(cell, 3, 1), op)];
            Assert.True(E("sep_conv_5x5").Flops > E("sep_conv_3x3").Flops);
            Assert.True(E("sep_conv_5x5").Params > E("sep_conv_3x3").Params);
            foreach (var free in new[] { "avg_pool_3x3", "max_pool_3x3", "identity" })
                Assert.Equal(new ArchitectureCost(0, 0), E(free));
        }
        var min = table.Minimum(space);
        Assert.Equal(table.Base, min);
    }

    [Fact]
    public void Enas_base_and_entries_must_match_a_hand_count()
    {
        using var net = new EnasMicroSupernet(TinySpecs.Enas(1)); // one normal cell, 8 channels, 2 nodes, 28x28
        var table = FlopsCounter.Count(net);

        long stem = 8 * 784 * 9, pre = 8 * 784 * 8, output = 8 * 784 * 16, classifier = 8 * 10;
        Assert.Equal(stem + 2 * pre + output + classifier, table.Base.Flops);
        // stem conv 72 + BN 16; preprocessing 2 x (64 + 16); output 128 + 16; linear 80 + 10.
        Assert.Equal(88 + 160 + 144 + 90, table.Base.Params);
        // sep_conv_3x3: depthwise 8*784*9 + pointwise 8*784*8; params 72 + 64 + BN 16.
        Assert.Equal(new ArchitectureCost(8 * 784 * 9 + 8 * 784 * 8, 152), table.Entries[CostTable.EntryKey("normal/op_2_0", "sep_conv_3x3")]);
    }

    [Fact]
    public void Generic_cost_model_must_equal_the_hand_count_on_sampled_architectures()
    {
        var sposSpec = TinySpecs.TwoBlockStage();
        using var spos = ModelSpace.Create("spos-shufflenet", new SposSupernet(sposSpec), 1, 1, 28, 28);
        using var sposCounted = new SposSupernet(sposSpec);
        var enasSpec = TinySpecs.Enas(2);
        using var enas = ModelSpace.Create("enas-micro", new EnasMicroSupernet(enasSpec), 1, 1, 28, 28);
        using var enasCounted = new EnasMicroSupernet(enasSpec);

        foreach (var (model, hand, seed) in new[] { (spos, FlopsCounter.Count(sposCounted), 5), (enas, FlopsCounter.Count(enasCounted), 6) })
        {
            var generic = model.CheckAndCount();
            Assert.IsType<CostTable>(generic); // both built-in spaces add up per choice
            var rng = Xoshiro256.FromSeed(seed);
            for (var i = 0; i < 12; i++)
            {
                var arch = model.Space.Sample(rng);
                Assert.Equal(hand.Cost(arch), generic.Cost(arch));
                Assert.Equal(hand.Cost(arch), model.Measure(arch));
            }
            Assert.Equal(hand.Minimum(model.Space), generic.Minimum(model.Space));
        }
    }

    private static string Canonical(CostTable t) =>
        $"{t.Base} " + string.Join(";", t.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"));

    /// <summary>MACs of a conv whose output is r x r (every ENAS conv's output is at its cell's resolution).</summary>
    private static long Conv(Conv2d c, long r) =>
        c.out_channels * r * r * (c.in_channels / c.groups) * c.kernel_size[0] * c.kernel_size[1];

    private static long Numel(nn.Module m) => m.parameters().Sum(p => p.numel());
}
