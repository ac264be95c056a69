using NasActors.Core.SearchSpaces;
using NasActors.Torch.Data;
using NasActors.Torch.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces;

/// <summary>
/// The ENAS micro supernet for 28x28 grayscale images: stem 3x3 conv (1 → C) → BN (no ReLU), then for each stage s
/// (width C·2^s, resolution 28, 14, 7, 4: ceil halving) a reduction cell if s > 0 and CellsPerStage normal cells
/// (<see cref="EnasMicroCell"/>; normal cells take the architecture's <c>normal/*</c> choices, reduction cells the
/// <c>reduce/*</c> ones, weights are per cell), then ReLU → global average pool → linear to 10 classes.
/// Deviation from ENAS: a cell's output is the projection of the concatenation of all its nodes (DARTS-style), not of
/// the loose ends only, so the cost of an architecture is a sum over its choices (see FlopsCounter).
/// No dropout or drop-path (determinism). forward runs the one path an <see cref="Architecture"/> selects.
/// </summary>
internal sealed class EnasMicroSupernet : nn.Module<Tensor, Architecture, Tensor>
{

    private readonly ConvBn stem;
    private readonly ModuleList<EnasMicroCell> cells;
    private readonly Linear classifier;

    public EnasMicroSpec Spec { get; }
    public SearchSpace Space { get; }

    public EnasMicroSupernet(EnasMicroSpec spec) : base(nameof(EnasMicroSupernet))
    {
        Space = EnasMicroSpace.Create(spec); // validates the spec
        Spec = spec;
        stem = new ConvBn(1, spec.Channels, 3, relu: false);
        cells = new ModuleList<EnasMicroCell>();
        var ops = spec.Ops.ToArray();
        (int Channels, int Resolution) prev = (spec.Channels, FashionMnist.Side), prevPrev = prev;
        var resolution = FashionMnist.Side;
        for (var s = 0; s < spec.Stages; s++)
        {
            var channels = checked(spec.Channels << s);
            if (s > 0) resolution = (resolution + 1) / 2;
            for (var c = s > 0 ? -1 : 0; c < spec.CellsPerStage; c++)
            {
                var type = c < 0 ? EnasMicroSpace.Reduce : EnasMicroSpace.Normal;
                cells.Add(new EnasMicroCell(type, ops, spec.Nodes, channels, resolution, prevPrev, prev));
                (prevPrev, prev) = (prev, (channels, resolution));
            }
        }
        LastChannels = prev.Channels;
        classifier = nn.Linear(LastChannels, FashionMnist.Classes);
        RegisterComponents();
        Cells = [.. cells];
    }

    public int LastChannels { get; }
    public ConvBn Stem => stem;
    public IReadOnlyList<EnasMicroCell> Cells { get; }
    public Linear Classifier => classifier;

    public override Tensor forward(Tensor x, Architecture architecture)
    {
        Space.Validate(architecture);
        var s1 = stem.forward(x);
        var s0 = s1;
        foreach (var cell in cells) (s0, s1) = (s1, cell.forward(s0, s1, architecture));
        return classifier.forward(nn.functional.relu(s1).mean([2, 3]));
    }
}
