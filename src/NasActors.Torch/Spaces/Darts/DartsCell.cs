using NasActors.Core.SearchSpaces.Darts;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces.Darts;

/// <summary>
/// A DARTS cell (official model_search.py): s0 = c_{k-2} is preprocessed by FactorizedReduce when the previous cell
/// reduced (it is then at twice this cell's input resolution), else by ReLU → 1x1 conv → BN; s1 = c_{k-1} always by the
/// latter; both to <see cref="Channels"/>. Then the four <see cref="DartsNode"/>s; output: their concatenation
/// (4·Channels). A reduction cell's edges from s0 and s1 have stride 2.
/// </summary>
internal sealed class DartsCell : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> pre0;
    private readonly StdConv pre1;
    private readonly ModuleList<DartsNode> nodes;

    public DartsCell(bool reduction, bool reductionPrev, int prevPrevChannels, int prevChannels, int channels, bool affine,
        bool barePools = false, DropPath? dropPath = null) : base(nameof(DartsCell))
    {
        (Reduction, Channels) = (reduction, channels);
        CellType = reduction ? DartsSpace.Reduce : DartsSpace.Normal;
        pre0 = reductionPrev ? new FactorizedReduce(prevPrevChannels, channels, affine) : new StdConv(prevPrevChannels, channels, 1, 1, 0, affine);
        pre1 = new StdConv(prevChannels, channels, 1, 1, 0, affine);
        nodes = new ModuleList<DartsNode>();
        for (var i = DartsSpace.FirstNode; i < DartsSpace.FirstNode + DartsSpace.Nodes; i++)
            nodes.Add(new DartsNode(CellType, i, channels, reduction, affine, barePools, dropPath));
        RegisterComponents();
    }

    public bool Reduction { get; }
    public string CellType { get; }
    public int Channels { get; }
    public int OutputChannels => DartsSpace.Nodes * Channels;

    /// <summary>Node <paramref name="i"/> (2..5).</summary>
    public DartsNode Node(int i) => nodes[i - DartsSpace.FirstNode];

    /// <summary>The cell with every edge a mixed op; <paramref name="weights"/>: [14, 8], edge (i, k) in DartsSpace.Edges order.</summary>
    public Tensor MixedForward(Tensor s0, Tensor s1, Tensor weights)
    {
        var states = new List<Tensor>(DartsSpace.FirstNode + DartsSpace.Nodes) { pre0.call(s0), pre1.call(s1) };
        foreach (var node in nodes)
        {
            var first = DartsSpace.EdgeIndex(node.Node, 0);
            states.Add(node.MixedForward(states, [.. Enumerable.Range(first, node.Node).Select(e => weights[e])]));
        }
        return torch.cat(states.Skip(DartsSpace.FirstNode).ToArray(), 1);
    }

    public override Tensor forward(Tensor s0, Tensor s1)
    {
        var states = new List<Tensor>(DartsSpace.FirstNode + DartsSpace.Nodes) { pre0.call(s0), pre1.call(s1) };
        foreach (var node in nodes) states.Add(node.Forward(states));
        return torch.cat(states.Skip(DartsSpace.FirstNode).ToArray(), 1);
    }
}
