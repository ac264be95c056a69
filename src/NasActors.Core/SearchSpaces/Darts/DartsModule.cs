using NasActors.Core.Engine;

namespace NasActors.Core.SearchSpaces.Darts;

/// <summary>Registration of the DARTS cell space (nas.space = darts); the network is NasActors.Torch.Spaces.Darts.</summary>
public sealed class DartsModule : SpaceModule
{
    public override string Name => DartsSpace.Name;

    public override string Description =>
        "DARTS cells (NNI's DARTS space): 4 nodes, each summing two earlier nodes or cell inputs through one of 7 ops (pools, skip, sep/dil convs); normal and reduction cells";

    public override string ConfigSection => """
        # DARTS cell space (Liu et al. 2019, as NNI's DARTS space): a 3x3 stem of 3·channels (stem multiplier 3), then
        # `cells` cells, reduction cells (half resolution, twice the width) at cells/3 and 2·cells/3. Each cell has 4 nodes;
        # node i sums two earlier nodes or cell inputs, each through one of 7 ops. Weights are kept per edge (node, input)
        # and op, as DARTS's MixedOp; BN without affine parameters, as the official search network.
        channels = 16            # first cells' width; DARTS: 16 to search, 36 to retrain
        cells = 8                # cells in all; DARTS: 8 to search, 20 to retrain
        dataset = fashion-mnist  # the input the network is shaped for: fashion-mnist (1x28x28) or cifar10 (3x32x32)
        """;

    public override RetrainTricks RetrainTricks => RetrainTricks.DropPath | RetrainTricks.AuxiliaryHead;

    public override object ReadSpec(ISettingsSource s)
    {
        var spec = new DartsSpec(s.Int("channels", 2, 512), s.Int("cells", 3, 64), s.String("dataset"));
        s.Check(spec.Validate);
        return spec;
    }

    public override SearchSpace CreateSpace(object spec) => DartsSpace.Create((DartsSpec)spec);

    /// <summary>Its network runs every edge as a mixed op weighted by architecture parameters (DARTS).</summary>
    public override SpaceTraits Traits(object spec) => base.Traits(spec) with { MixedOps = true };
}
