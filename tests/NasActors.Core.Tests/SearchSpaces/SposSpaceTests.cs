using System.Collections.Immutable;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Tests.SearchSpaces;

public class SposSpaceTests
{
    private static SupernetSpec Spec(int stem = 16, int[]? channels = null, int[]? depths = null, string[]? candidates = null) => new(
        stem, [.. channels ?? [16, 32, 64]], [.. depths ?? [2, 3, 1]], [.. candidates ?? [.. SposSpace.PaperCandidates]]);

    [Fact]
    public void SposSpace_must_have_one_layer_choice_per_block_keyed_by_stage_and_block()
    {
        var s = SposSpace.Create(Spec());
        Assert.Equal("spos-shufflenet", s.Name);
        Assert.Equal(["stage0/block0", "stage0/block1", "stage1/block0", "stage1/block1", "stage1/block2", "stage2/block0"], s.Choices.Select(c => c.Key));
        Assert.All(s.Choices, c =>
        {
            Assert.Equal(ChoiceKind.Layer, c.Kind);
            Assert.Equal(SposSpace.PaperCandidates.AsEnumerable(), c.Candidates.AsEnumerable());
        });
        Assert.Equal(Math.Pow(4, 6), s.Size);
        Assert.Equal("stage3/block7", SposSpace.BlockKey(3, 7));
    }

    [Fact]
    public void SposSpace_must_use_only_the_configured_candidates()
    {
        var s = SposSpace.Create(Spec(candidates: ["xception_3x3", "shuffle_3x3"]));
        Assert.All(s.Choices, c => Assert.Equal(["xception_3x3", "shuffle_3x3"], c.Candidates.AsEnumerable()));
    }

    [Theory]
    [InlineData(0, "nas.spaces.spos-shufflenet.stem-channels = 0")]
    [InlineData(15, "nas.spaces.spos-shufflenet.stem-channels = 15")]
    public void SupernetSpec_must_reject_a_bad_stem_naming_the_key(int stem, string expected)
    {
        var e = Assert.Throws<NasUserException>(() => SposSpace.Create(Spec(stem: stem)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void SupernetSpec_must_reject_mismatched_or_empty_stages_naming_the_keys()
    {
        var e = Assert.Throws<NasUserException>(() => SposSpace.Create(Spec(channels: [16, 32], depths: [1, 1, 1])));
        Assert.Contains("nas.spaces.spos-shufflenet.stage-channels", e.Message);
        Assert.Contains("stage-depths", e.Message);
        Assert.Throws<NasUserException>(() => SposSpace.Create(Spec(channels: [], depths: [])));
    }

    [Theory]
    [InlineData(18)]
    [InlineData(2)]
    [InlineData(0)]
    public void SupernetSpec_must_reject_stage_channels_not_a_multiple_of_four(int channels)
    {
        var e = Assert.Throws<NasUserException>(() => SposSpace.Create(Spec(channels: [16, channels], depths: [1, 1])));
        Assert.Contains("nas.spaces.spos-shufflenet.stage-channels", e.Message);
        Assert.Contains(channels.ToString(), e.Message);
    }

    [Fact]
    public void SupernetSpec_must_reject_a_stage_depth_below_one()
    {
        var e = Assert.Throws<NasUserException>(() => SposSpace.Create(Spec(depths: [1, 0, 1])));
        Assert.Contains("nas.spaces.spos-shufflenet.stage-depths", e.Message);
    }

    [Fact]
    public void SupernetSpec_must_reject_more_than_four_stages()
    {
        var e = Assert.Throws<NasUserException>(() => SposSpace.Create(Spec(channels: [8, 8, 8, 8, 8], depths: [1, 1, 1, 1, 1])));
        Assert.Contains("5 stages", e.Message);
    }

    [Fact]
    public void SupernetSpec_must_reject_unknown_or_missing_candidates_naming_the_key()
    {
        var e = Assert.Throws<NasUserException>(() => SposSpace.Create(Spec(candidates: ["shuffle_3x3", "mb_conv_9x9"])));
        Assert.Contains("nas.spaces.spos-shufflenet.candidates", e.Message);
        Assert.Contains("'mb_conv_9x9'", e.Message);
        var e2 = Assert.Throws<NasUserException>(() => SposSpace.Create(Spec(candidates: [])));
        Assert.Contains("nas.spaces.spos-shufflenet.candidates is empty", e2.Message);
    }

    [Fact]
    public void SupernetSpec_must_accept_the_paper_layout()
    {
        var s = SposSpace.Create(new SupernetSpec(16, [64, 160, 320, 640], [4, 4, 8, 4], SposSpace.PaperCandidates));
        Assert.Equal(20, s.Choices.Length);
    }
}
