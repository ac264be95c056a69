using System.Collections.Immutable;

namespace NasActors.Core.SearchSpaces.Darts;

/// <summary>
/// The DARTS cell space (Liu et al., ICLR 2019; NNI's <c>DARTS</c> space) with NNI's keys. A cell has two inputs
/// (index 0: c_{k-2}, the output of the cell before the previous one; 1: c_{k-1}, the previous cell's) and
/// <see cref="Nodes"/> nodes numbered 2..5; node i has two slots j in {0, 1}, each taking one earlier node or cell input
/// (<c>CELL/input_i_j</c>, an index below i) through one op (<c>CELL/op_i_j</c>, one of <see cref="Ops"/>), and sums
/// them. The cell's output is the concatenation of nodes 2..5. All normal cells share one choice of these, all reduction
/// cells another. Decision order per node, as NNI exports it: op_i_0, input_i_0, op_i_1, input_i_1.
/// <para>
/// Edges: the network keeps weights per <b>edge</b> (node i, input k) and op, like the official DARTS MixedOp (edges
/// (i, k) for every k &lt; i: 2 + 3 + 4 + 5 = 14 per cell). A slot picks one edge and one op on it:
/// <c>input_i_j = k</c> and <c>op_i_j = o</c> run op o of edge (i, k). The two slots of a node share the node's edges,
/// so a differentiable strategy weights every edge, and derives the two slots as the node's two strongest edges.
/// </para>
/// </summary>
public static class DartsSpace
{
    public const string Name = "darts";
    public const string Normal = "normal";
    public const string Reduce = "reduce";

    /// <summary>Intermediate nodes per cell.</summary>
    public const int Nodes = 4;

    /// <summary>Inputs of every node: the two slots j.</summary>
    public const int Slots = 2;

    /// <summary>The seven DARTS ops, in the order of the official PRIMITIVES (without 'none', the search-only zero op).</summary>
    public static readonly ImmutableArray<string> Ops =
        ["max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"];

    /// <summary>The search-only zero op of the official code ('none'): an edge may learn to be absent. Never derived.</summary>
    public const string Zero = "none";

    /// <summary>What a mixed op weights on every edge: the official PRIMITIVES, 'none' first, then <see cref="Ops"/>.</summary>
    public static readonly ImmutableArray<string> SearchOps = [Zero, .. Ops];

    public static readonly ImmutableArray<string> CellTypes = [Normal, Reduce];

    /// <summary>The first node's number (0 and 1 are the cell inputs).</summary>
    public const int FirstNode = 2;

    public static string OpKey(string cell, int node, int slot) => $"{cell}/op_{node}_{slot}";

    public static string InputKey(string cell, int node, int slot) => $"{cell}/input_{node}_{slot}";

    /// <summary>Whether cell <paramref name="index"/> of <paramref name="cells"/> is a reduction cell (official code: cells/3 and 2·cells/3).</summary>
    public static bool IsReduction(int index, int cells) => index == cells / 3 || index == 2 * cells / 3;

    /// <summary>The edges of a cell as (node, input), in the official order: node 2's inputs 0, 1; node 3's 0, 1, 2; ...</summary>
    public static IEnumerable<(int Node, int Input)> Edges()
    {
        for (var i = FirstNode; i < FirstNode + Nodes; i++)
            for (var k = 0; k < i; k++) yield return (i, k);
    }

    /// <summary>Edges per cell: 2 + 3 + 4 + 5.</summary>
    public const int EdgeCount = 14;

    /// <summary>The index of edge (node, input) in <see cref="Edges"/>.</summary>
    public static int EdgeIndex(int node, int input)
    {
        if (node < FirstNode || node >= FirstNode + Nodes || input < 0 || input >= node)
            throw new ArgumentOutOfRangeException(nameof(node), $"({node}, {input}) is not an edge of a DARTS cell");
        // Nodes before this one have 2, 3, ... inputs.
        var before = Enumerable.Range(FirstNode, node - FirstNode).Sum();
        return before + input;
    }

    /// <summary>
    /// Both cells in one short line for progress views, node by node as "node=op(input)+op(input)" with short op names,
    /// e.g. "normal 2=sep3(1)+sep3(0) 3=skip(0)+sep3(1) ... | reduce 2=max(0)+max(1) ...".
    /// </summary>
    public static string Summary(Architecture a) =>
        string.Join(" | ", CellTypes.Select(cell => cell + " " + string.Join(" ", Enumerable.Range(FirstNode, Nodes).Select(i => NodeSummary(a, cell, i)))));

    private static string NodeSummary(Architecture a, string cell, int node) =>
        $"{node}=" + string.Join("+", Enumerable.Range(0, Slots).Select(j => $"{ShortOp(a[OpKey(cell, node, j)])}({a[InputKey(cell, node, j)]})"));

    private static string ShortOp(string op) => op switch
    {
        "skip_connect" => "skip",
        _ when op.EndsWith("_pool_3x3", StringComparison.Ordinal) => op[..3],
        _ => op[..3] + op[^1], // sep_conv_3x3 -> sep3
    };

    public static SearchSpace Create(DartsSpec spec)
    {
        spec.Validate();
        var choices = new List<Choice>();
        foreach (var cell in CellTypes)
            for (var i = FirstNode; i < FirstNode + Nodes; i++)
                for (var j = 0; j < Slots; j++)
                {
                    choices.Add(new Choice(OpKey(cell, i, j), ChoiceKind.Layer, Ops));
                    choices.Add(Choice.Input(InputKey(cell, i, j), i));
                }
        return SearchSpace.Create(Name, choices);
    }
}
