using System.Globalization;
using NasActors.Core.SearchSpaces.Darts;
using NasActors.Torch.Mutables;
using NasActors.Torch.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces.Darts;

/// <summary>
/// Node i of a DARTS cell: weights per edge (input k &lt; i) and op, as the official MixedOp, and two slots, each an
/// op decision (<c>CELL/op_i_j</c>) and an input decision (<c>CELL/input_i_j</c>). A single path runs op o of edge k for
/// each slot and sums the two. The op decision is a <see cref="LayerChoice"/> over weightless tokens: the weights live on
/// the edges because both slots may pick the same edge (NNI's path-sampling cell keeps them the same way).
/// </summary>
internal sealed class DartsNode : nn.Module, IWeightRouter
{
    private readonly ModuleList<CandidateDict> edges; // edge k: op name → its module
    private readonly ModuleList<LayerChoice> ops;     // slot j
    private readonly ModuleList<InputChoice> inputs;  // slot j

    private readonly DropPath? _dropPath; // the evaluation network's, shared by every node; not a module

    public DartsNode(string cellType, int node, int channels, bool reduction, bool affine, bool barePools = false, DropPath? dropPath = null)
        : base(nameof(DartsNode))
    {
        Node = node;
        _dropPath = dropPath;
        edges = new ModuleList<CandidateDict>();
        for (var k = 0; k < node; k++)
        {
            // In a reduction cell the edges from the two cell inputs halve the resolution (official: stride 2 for k < 2).
            var stride = reduction && k < DartsSpace.FirstNode ? 2 : 1;
            var edge = new CandidateDict();
            foreach (var op in DartsSpace.Ops) edge.Add(op, DartsOps.Create(op, channels, stride, affine, barePools));
            edges.Add(edge);
        }
        ops = new ModuleList<LayerChoice>();
        inputs = new ModuleList<InputChoice>();
        for (var j = 0; j < DartsSpace.Slots; j++)
        {
            ops.Add(new LayerChoice(DartsSpace.OpKey(cellType, node, j), DartsSpace.Ops.Select(op => (op, (nn.Module<Tensor, Tensor>)nn.Identity()))));
            inputs.Add(new InputChoice(DartsSpace.InputKey(cellType, node, j), node, 1));
        }
        RegisterComponents();
    }

    public int Node { get; }

    /// <summary>The ops of edge (this node, input <paramref name="k"/>), by name: what a mixed op weights.</summary>
    public IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Module)> Edge(int k) => edges[k].Items;

    /// <summary>The active (input, op) of slot <paramref name="j"/>.</summary>
    public (int Input, string Op) Slot(int j)
    {
        // Op first: the order NNI exports a slot in (and so the order the space lists them).
        var op = ops[j].Chosen;
        return (inputs[j].ChosenIndices[0], op);
    }

    /// <summary><paramref name="states"/>: the two cell inputs and the earlier nodes (at least <see cref="Node"/> of them).</summary>
    public Tensor Forward(IReadOnlyList<Tensor> states)
    {
        // As in MixedForward: only the node's output leaves its scope; autograd keeps what the backward needs.
        using var scope = torch.NewDisposeScope();
        Tensor? sum = null;
        for (var j = 0; j < DartsSpace.Slots; j++)
        {
            var (k, op) = Slot(j);
            var module = edges[k].Find(op)!;
            var y = module.call(states[k]);
            // Official Cell._compute: drop path in training on every op output but the identity's.
            if (_dropPath is { Probability: > 0 } drop && training && module is not Identity) y = drop.Apply(y);
            sum = sum is null ? y : sum.add(y, HeldScalars.One);
        }
        return scope.MoveToOuter(sum!);
    }

    /// <summary>
    /// The official MixedOp over every edge, summed (DARTS's node): Σ_k Σ_o w_k[o] · op_{k,o}(states[k]), where
    /// <paramref name="weights"/>[k] holds edge k's weights over <see cref="DartsSpace.SearchOps"/> ('none' first, which
    /// adds zero and so is skipped). Ignores the slot decisions: a differentiable strategy weights every edge.
    /// </summary>
    public Tensor MixedForward(IReadOnlyList<Tensor> states, IReadOnlyList<Tensor> weights)
    {
        if (weights.Count != Node) throw new ArgumentException($"node {Node} has {Node} edges; got weights for {weights.Count}");
        Tensor? sum = null;
        for (var k = 0; k < Node; k++)
        {
            var ops = edges[k].Items;
            if (weights[k].numel() != ops.Count + 1) throw new ArgumentException($"edge ({Node}, {k}) weighs {ops.Count + 1} ops ('none' first); got {weights[k].numel()} weights");
            // One scope per edge: only its sum leaves. What autograd saves for the backward it keeps alive itself, so
            // disposing the handles frees the rest (the ops' outputs, products, partial sums) now instead of at the end
            // of the step: the search's peak memory drops, the numbers do not change.
            using var edge = torch.NewDisposeScope();
            for (var o = 0; o < ops.Count; o++)
            {
                var y = ops[o].Module.call(states[k]).mul(weights[k][o + 1]);
                sum = sum is null ? y : sum.add(y, HeldScalars.One);
            }
            sum = edge.MoveToOuter(sum!);
        }
        return sum!;
    }

    public IEnumerable<nn.Module> ActiveModules() =>
        Enumerable.Range(0, DartsSpace.Slots).Select(Slot).Distinct().Select(s => (nn.Module)edges[s.Input].Find(s.Op)!);

    public void KeepOnlyActive()
    {
        var active = Enumerable.Range(0, DartsSpace.Slots).Select(Slot).ToHashSet();
        for (var k = 0; k < Node; k++)
        {
            var input = k;
            edges[k].RemoveWhere(op => !active.Contains((input, op)));
        }
    }

    public IReadOnlyList<(string Key, string Value)>? Reaching(string relativePath)
    {
        // "edges.K.OP...": slot 0 taking input K through OP runs it.
        var parts = relativePath.Split('.');
        if (parts.Length < 3 || parts[0] != "edges" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var k)) return null;
        if (k >= Node || !DartsSpace.Ops.Contains(parts[2])) return null;
        return [(ops[0].Key, parts[2]), (inputs[0].Key, k.ToString(CultureInfo.InvariantCulture))];
    }
}
