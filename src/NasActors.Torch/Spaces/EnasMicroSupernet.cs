using NasActors.Core.SearchSpaces;
using NasActors.Torch.Data;
using NasActors.Torch.Mutables;
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
/// the loose ends only, so the cost of an architecture is a sum over its choices (the cost model is additive).
/// No dropout or drop-path (determinism). The choices are public mutables (<see cref="LayerChoice"/>,
/// <see cref="InputChoice"/>) shared by key across cells of one type; <see cref="ModelSpace"/> reads the space from them.
/// </summary>
internal sealed class EnasMicroSupernet : nn.Module<Tensor, Tensor>
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

    public override Tensor forward(Tensor x)
    {
        var s1 = stem.call(x);
        var s0 = s1;
        foreach (var cell in cells) (s0, s1) = (s1, cell.call(s0, s1));
        return classifier.call(nn.functional.relu(s1).mean([2, 3]));
    }
}
