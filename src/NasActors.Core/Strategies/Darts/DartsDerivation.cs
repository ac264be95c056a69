using System.Globalization;
using NasActors.Core.SearchSpaces;
using NasActors.Core.SearchSpaces.Darts;

namespace NasActors.Core.Strategies.Darts;

/// <summary>
/// The discrete cell DARTS derives from its architecture weights (official model_search.py, <c>genotype()</c>/<c>_parse</c>):
/// for each node, the two incoming edges whose strongest op other than 'none' has the largest softmax weight, and on
/// each edge its best op other than 'none'. Ties go to the lower input, then the earlier op (Python's stable sort and
/// strict comparison). As an NNI dict: slot 0 is the stronger edge (<c>op_i_0</c>, <c>input_i_0</c>), slot 1 the other.
/// </summary>
public static class DartsDerivation
{
    public static Architecture Derive(ArchitectureWeights weights)
    {
        var choices = new List<KeyValuePair<string, string>>();
        foreach (var cell in DartsSpace.CellTypes)
            for (var i = DartsSpace.FirstNode; i < DartsSpace.FirstNode + DartsSpace.Nodes; i++)
            {
                var best = Enumerable.Range(0, i).Select(k => (Input: k, Best: BestOp(weights.Softmax(cell, i, k))))
                    .OrderByDescending(e => e.Best.Weight) // OrderBy is stable: equal strengths keep the lower input first
                    .Take(DartsSpace.Slots).ToList();
                for (var j = 0; j < DartsSpace.Slots; j++)
                {
                    choices.Add(KeyValuePair.Create(DartsSpace.OpKey(cell, i, j), DartsSpace.SearchOps[best[j].Best.Op]));
                    choices.Add(KeyValuePair.Create(DartsSpace.InputKey(cell, i, j), best[j].Input.ToString(CultureInfo.InvariantCulture)));
                }
            }
        return new Architecture(choices);
    }

    /// <summary>The index (in <see cref="DartsSpace.SearchOps"/>) and weight of the largest weight other than 'none'; the first on ties.</summary>
    private static (int Op, double Weight) BestOp(double[] w)
    {
        var op = -1;
        for (var o = 0; o < w.Length; o++)
            if (DartsSpace.SearchOps[o] != DartsSpace.Zero && (op < 0 || w[o] > w[op])) op = o;
        return (op, w[op]);
    }
}
