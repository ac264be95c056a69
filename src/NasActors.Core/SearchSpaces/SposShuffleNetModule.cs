using NasActors.Core.Engine;

namespace NasActors.Core.SearchSpaces;

/// <summary>Registration of the SPOS ShuffleNetV2 block space (nas.space = spos-shufflenet).</summary>
public sealed class SposShuffleNetModule : SpaceModule
{
    public override string Name => "spos-shufflenet";

    public override string Description =>
        "SPOS supernet: stages of ShuffleNetV2 choice blocks (3x3/5x5/7x7 depthwise, Xception-like), one layer choice per block";

    public override string ConfigSection => """
        # ShuffleNetV2-style SPOS supernet sized for 28x28 grayscale. Stages halve the resolution (28 -> 14 -> 7 -> 4).
        stem-channels = 16
        stage-channels = [32, 64, 128]
        stage-depths = [2, 2, 2]
        # Per-block candidates, as in the SPOS paper: ShuffleNetV2 blocks with 3x3/5x5/7x7 depthwise kernels and an
        # Xception-like block of three 3x3 depthwise convolutions.
        candidates = [shuffle_3x3, shuffle_5x5, shuffle_7x7, xception_3x3]
        """;

    public override object ReadSpec(ISettingsSource s)
    {
        var spec = new SupernetSpec(s.Int("stem-channels", 2, 1024), s.Ints("stage-channels"), s.Ints("stage-depths"), s.Strings("candidates"));
        s.Check(spec.Validate);
        return spec;
    }

    public override SearchSpace CreateSpace(object spec) => SposSpace.Create((SupernetSpec)spec);
}
