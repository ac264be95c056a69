using NasActors.Core.SearchSpaces;
using NasActors.Torch.Ops;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Tests.Ops;

public class ShuffleNetV2BlockTests
{
    public static TheoryData<string> Candidates() => [.. SposSpace.PaperCandidates];

    [Theory]
    [MemberData(nameof(Candidates))]
    public void Block_must_halve_resolution_and_change_width_with_stride_2(string op)
    {
        using var scope = torch.NewDisposeScope();
        using var block = CandidateOps.Create(op, 8, 16, 2);
        var y = block.forward(torch.randn(2, 8, 14, 14));

        Assert.Equal(new long[] { 2, 16, 7, 7 }, y.shape);
        var macs = block.Macs(14, 14, out var h, out var w);
        Assert.Equal((7L, 7L), (h, w));
        Assert.True(macs > 0);
    }

    [Theory]
    [MemberData(nameof(Candidates))]
    public void Block_must_keep_shape_with_stride_1(string op)
    {
        using var scope = torch.NewDisposeScope();
        using var block = CandidateOps.Create(op, 16, 16, 1);
        var y = block.forward(torch.randn(2, 16, 7, 7));

        Assert.Equal(new long[] { 2, 16, 7, 7 }, y.shape);
        block.Macs(7, 7, out var h, out var w);
        Assert.Equal((7L, 7L), (h, w));
    }

    [Fact]
    public void Stride_1_block_must_pass_even_channels_through_unchanged()
    {
        using var scope = torch.NewDisposeScope();
        using var block = CandidateOps.Create("shuffle_3x3", 8, 8, 1);
        var x = torch.randn(1, 8, 5, 5);
        var y = block.forward(x);

        var even = x.index_select(1, torch.tensor(new long[] { 0, 2, 4, 6 }));
        Assert.True(y.narrow(1, 0, 4).eq(even).all().item<bool>());
    }

    [Fact]
    public void Shuffle_macs_must_match_a_hand_count()
    {
        using var block = CandidateOps.Create("shuffle_5x5", 8, 16, 2);

        // main: 1x1 8->8 at 14x14, 5x5 dw 8 stride 2 -> 7x7, 1x1 8->8 at 7x7; proj: 5x5 dw 8 stride 2, 1x1 8->8 at 7x7.
        long expected = 8 * 14 * 14 * 8 + 8 * 7 * 7 * 25 + 8 * 7 * 7 * 8 + 8 * 7 * 7 * 25 + 8 * 7 * 7 * 8;
        Assert.Equal(expected, block.Macs(14, 14, out _, out _));
    }

    [Fact]
    public void Xception_macs_must_match_a_hand_count()
    {
        using var block = CandidateOps.Create("xception_3x3", 16, 16, 1);

        // main on 8 of 16 channels at 7x7, mid 8: dw3 8, 1x1 8->8, dw3 8, 1x1 8->8, dw3 8, 1x1 8->8.
        long expected = 3 * (8 * 49 * 9) + 3 * (8 * 49 * 8);
        Assert.Equal(expected, block.Macs(7, 7, out _, out _));
    }
}
