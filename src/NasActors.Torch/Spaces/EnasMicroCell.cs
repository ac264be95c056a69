using System.Globalization;
using NasActors.Core.SearchSpaces;
using NasActors.Torch.Mutables;
using NasActors.Torch.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces;

/// <summary>
/// One ENAS micro cell with its own weights. Inputs s0 (the output of the cell before the previous one) and s1 (the
/// previous cell's output) are preprocessed to <see cref="Channels"/> at <see cref="Resolution"/> (ReLU → 1x1 conv,
/// stride 2 when the input has the previous stage's resolution → BN); these are nodes 0 and 1. Node i in
/// [2, Nodes + 2) = op_i_0(node[input_i_0]) + op_i_1(node[input_i_1]), with the choices of the architecture's
/// <see cref="CellType"/> keys. Output: ReLU → 1x1 conv (Nodes·Channels → Channels) → BN of the concatenation of every
/// node 2.. (DARTS-style; ENAS concatenates only the loose ends, which would make a cell's cost depend on the whole
/// wiring instead of adding up per choice).
/// </summary>
internal sealed class EnasMicroCell : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ReluConvBn pre0;
    private readonly ReluConvBn pre1;
    private readonly ModuleList<LayerChoice> ops; // node-major: (node 2, slot 0), (node 2, slot 1), (node 3, slot 0), ...
    private readonly ReluConvBn output;
    private readonly ModuleList<InputChoice> inputs; // same order as ops; no weights

    public EnasMicroCell(string cellType, IReadOnlyList<string> candidateOps, int nodes, int channels, int resolution,
        (int Channels, int Resolution) input0, (int Channels, int Resolution) input1) : base(nameof(EnasMicroCell))
    {
        (CellType, Nodes, Channels, Resolution) = (cellType, nodes, channels, resolution);
        (Input0, Input1) = (input0, input1);
        pre0 = new ReluConvBn(input0.Channels, channels, Stride(input0.Resolution, resolution));
        pre1 = new ReluConvBn(input1.Channels, channels, Stride(input1.Resolution, resolution));
        ops = new ModuleList<LayerChoice>();
        inputs = new ModuleList<InputChoice>();
        for (var i = 2; i < nodes + 2; i++)
            for (var j = 0; j < 2; j++)
            {
                ops.Add(new LayerChoice(EnasMicroSpace.OpKey(cellType, i, j), candidateOps.Select(op => (op, (nn.Module<Tensor, Tensor>)MicroOps.Create(op, channels)))));
                inputs.Add(new InputChoice(EnasMicroSpace.InputKey(cellType, i, j), i, 1));
            }
        output = new ReluConvBn(nodes * channels, channels, 1);
        RegisterComponents();
    }

    /// <summary><see cref="EnasMicroSpace.Normal"/> or <see cref="EnasMicroSpace.Reduce"/>.</summary>
    public string CellType { get; }
    public int Nodes { get; }
    public int Channels { get; }
    public int Resolution { get; }
    public (int Channels, int Resolution) Input0 { get; }
    public (int Channels, int Resolution) Input1 { get; }
    public ReluConvBn Preprocess0 => pre0;
    public ReluConvBn Preprocess1 => pre1;
    public ReluConvBn Output => output;

    /// <summary>The op decision of node <paramref name="node"/> (2..Nodes+1), slot <paramref name="slot"/> (0, 1).</summary>
    public LayerChoice Op(int node, int slot) => ops[2 * (node - 2) + slot];

    public IEnumerable<LayerChoice> Ops => ops;

    public override Tensor forward(Tensor s0, Tensor s1)
    {
        var nodes = new Tensor[Nodes + 2];
        nodes[0] = pre0.call(s0);
        nodes[1] = pre1.call(s1);
        for (var i = 2; i < Nodes + 2; i++)
        {
            // Both inputs, then both ops: the order ENAS samples a node's decisions in (and so the space's order).
            var k = 2 * (i - 2);
            var earlier = nodes[..i];
            var x0 = inputs[k].forward(earlier)!;
            var x1 = inputs[k + 1].forward(earlier)!;
            nodes[i] = ops[k].call(x0).add(ops[k + 1].call(x1), HeldScalars.One);
        }
        return output.call(torch.cat(nodes[2..], 1));
    }

    /// <summary>1 at the same resolution, 2 from the previous stage's (ceil halving: 7 → 4).</summary>
    private static int Stride(int inResolution, int resolution) =>
        inResolution == resolution ? 1
            : (inResolution + 1) / 2 == resolution ? 2
            : throw new ArgumentException($"a cell input at {inResolution}x{inResolution} cannot feed a cell at {resolution}x{resolution}");
}
