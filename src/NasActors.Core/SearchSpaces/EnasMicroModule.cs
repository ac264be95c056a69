using NasActors.Core.Engine;

namespace NasActors.Core.SearchSpaces;

/// <summary>Registration of the ENAS micro cell space (nas.space = enas-micro).</summary>
public sealed class EnasMicroModule : SpaceModule
{
    public override string Name => "enas-micro";

    public override string Description =>
        "ENAS micro cells: every node picks two earlier nodes and an op for each (sep conv 3x3/5x5, avg/max pool, identity); normal and reduction cells";

    public override string ConfigSection => """
        # ENAS micro (cell) space sized for 28x28 grayscale: a 3x3 stem, `stages` stages of `cells-per-stage` normal cells
        # with a reduction cell (half resolution, twice the channels) between stages; each cell has `nodes` nodes, each
        # picking two inputs and one op per input. ENAS: 5 nodes, 20/36 channels on CIFAR-10.
        channels = 16
        nodes = 4
        cells-per-stage = 1
        stages = 3
        ops = [sep_conv_3x3, sep_conv_5x5, avg_pool_3x3, max_pool_3x3, identity]   # ENAS's five micro ops
        """;

    public override object ReadSpec(ISettingsSource s)
    {
        var spec = new EnasMicroSpec(s.Int("channels", 2, 1024), s.Int("nodes", 1, 12), s.Int("cells-per-stage", 1, 64), s.Int("stages", 1, 4), s.Strings("ops"));
        s.Check(spec.Validate);
        return spec;
    }

    public override SearchSpace CreateSpace(object spec) => EnasMicroSpace.Create((EnasMicroSpec)spec);
}
