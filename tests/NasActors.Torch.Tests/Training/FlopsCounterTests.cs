using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Torch.Spaces;
using NasActors.Torch.Training;
using TorchSharp;
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
}
