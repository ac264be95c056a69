using System.Globalization;
using System.Text;

namespace NasActors.Core.SearchSpaces.Darts;

/// <summary>
/// A DARTS cell as a Graphviz digraph, drawn like the NNI tutorial's <c>plot_single_cell</c> (from DARTS's
/// visualize.py): inputs c_{k-2} and c_{k-1}, intermediate nodes 0..3 (the dict's nodes 2..5), one edge per slot labelled
/// with its op, every node into the output c_{k}, left to right.
/// </summary>
public static class DartsCellDiagram
{
    public const string PreviousPrevious = "c_{k-2}";
    public const string Previous = "c_{k-1}";
    public const string Output = "c_{k}";

    /// <summary>
    /// Reads an architecture dict as NNI writes it (<c>{"normal/op_2_0": "sep_conv_3x3", "normal/input_2_0": 1, ...}</c>),
    /// or a `nas export` file (its best architecture), and checks it against the DARTS space: every key present, ops
    /// known, each input below its node. Throws <see cref="NasUserException"/> naming the problem.
    /// </summary>
    public static Architecture Parse(string json, string source)
    {
        var dict = NniArchitectureJson.ReadDict(json, source);
        try { return NniArchitectureJson.Parse(dict, DartsSpace.Create(DartsSpec.Default)); }
        catch (NasUserException e) { throw new NasUserException($"{source}: {e.Message}; a DARTS cell dict sets normal/ and reduce/ op_i_j (one of {string.Join(", ", DartsSpace.Ops)}) and input_i_j (0..i-1) for i in 2..5, j in 0..1"); }
    }

    /// <summary>The DOT text of cell <paramref name="cellType"/> (<see cref="DartsSpace.Normal"/> or <see cref="DartsSpace.Reduce"/>).</summary>
    public static string Dot(Architecture arch, string cellType)
    {
        var title = cellType == DartsSpace.Normal ? "Normal cell" : "Reduction cell";
        var sb = new StringBuilder();
        sb.Append("digraph ").Append(cellType).Append(" {\n");
        sb.Append("  graph [rankdir=LR, label=\"").Append(title).Append("\", fontname=\"Helvetica\"];\n");
        sb.Append("  node [style=filled, shape=rect, align=center, fontname=\"Helvetica\"];\n");
        sb.Append("  edge [fontname=\"Helvetica\"];\n");
        sb.Append("  \"").Append(PreviousPrevious).Append("\" [fillcolor=darkseagreen2];\n");
        sb.Append("  \"").Append(Previous).Append("\" [fillcolor=darkseagreen2];\n");
        for (var i = DartsSpace.FirstNode; i < DartsSpace.FirstNode + DartsSpace.Nodes; i++)
            sb.Append("  \"").Append(NodeName(i)).Append("\" [fillcolor=lightblue];\n");
        for (var i = DartsSpace.FirstNode; i < DartsSpace.FirstNode + DartsSpace.Nodes; i++)
            for (var j = 0; j < DartsSpace.Slots; j++)
            {
                var op = arch[DartsSpace.OpKey(cellType, i, j)];
                var from = int.Parse(arch[DartsSpace.InputKey(cellType, i, j)], CultureInfo.InvariantCulture);
                sb.Append("  \"").Append(NodeName(from)).Append("\" -> \"").Append(NodeName(i)).Append("\" [label=\"").Append(op).Append("\", fillcolor=gray];\n");
            }
        sb.Append("  \"").Append(Output).Append("\" [fillcolor=palegoldenrod];\n");
        for (var i = DartsSpace.FirstNode; i < DartsSpace.FirstNode + DartsSpace.Nodes; i++)
            sb.Append("  \"").Append(NodeName(i)).Append("\" -> \"").Append(Output).Append("\" [fillcolor=gray];\n");
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>Input 0 and 1 are the cell inputs; node i (2..5) is drawn as i - 2, as in DARTS's pictures.</summary>
    public static string NodeName(int index) => index switch
    {
        0 => PreviousPrevious,
        1 => Previous,
        _ => (index - DartsSpace.FirstNode).ToString(CultureInfo.InvariantCulture),
    };
}
