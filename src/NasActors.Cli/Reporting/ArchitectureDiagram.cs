using System.Text;
using NasActors.Core.SearchSpaces;
using NasActors.Core.SearchSpaces.Darts;

namespace NasActors.Cli.Reporting;

/// <summary>
/// Graphviz pictures of an architecture: a DARTS architecture as its normal and reduction cells (as `nas draw`), any
/// other as the chain of its choices in the space's order, each labelled with the candidate chosen.
/// </summary>
internal static class ArchitectureDiagram
{
    /// <summary>(title, DOT text) of each picture.</summary>
    public static IReadOnlyList<(string Title, string Dot)> Dots(SearchSpace space, Architecture arch)
    {
        if (space.Name == DartsSpace.Name)
            return [.. DartsSpace.CellTypes.Select(c => (c == DartsSpace.Normal ? "Normal cell" : "Reduction cell", DartsCellDiagram.Dot(arch, c)))];
        // A short chain reads left to right; a long one (ENAS cells: 16 choices) top to bottom.
        var sb = new StringBuilder($"digraph arch {{\n  graph [rankdir={(space.Choices.Length <= 8 ? "LR" : "TB")}, fontname=\"Helvetica\"];\n  node [shape=rect, style=\"rounded,filled\", fontname=\"Helvetica\", fillcolor=lightblue];\n");
        sb.Append("  input [label=\"input\", fillcolor=darkseagreen2];\n");
        var previous = "input";
        for (var i = 0; i < space.Choices.Length; i++)
        {
            var c = space.Choices[i];
            sb.Append($"  c{i} [label=\"{Escape(c.Key)}\\n{Escape(arch[c.Key])}\"];\n  {previous} -> c{i};\n");
            previous = "c" + i;
        }
        sb.Append($"  output [label=\"output\", fillcolor=palegoldenrod];\n  {previous} -> output;\n}}\n");
        return [("Blocks", sb.ToString())];
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
