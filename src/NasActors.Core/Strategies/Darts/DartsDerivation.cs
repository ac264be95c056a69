using System.Globalization;
using NasActors.Core.Randomness;
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

    /// <summary>
    /// A cell drawn from the weights rather than their argmax (aw_nas's derive samples its controller): per node, two
    /// distinct incoming edges drawn without replacement with probability proportional to each edge's strength (its
    /// strongest op other than 'none', as <see cref="Derive"/> ranks them), the stronger in slot 0; on each edge an op
    /// other than 'none' drawn in proportion to its softmax weight. Every draw comes from <paramref name="rng"/>.
    /// </summary>
    public static Architecture Sample(ArchitectureWeights weights, Xoshiro256 rng)
    {
        var choices = new List<KeyValuePair<string, string>>();
        foreach (var cell in DartsSpace.CellTypes)
            for (var i = DartsSpace.FirstNode; i < DartsSpace.FirstNode + DartsSpace.Nodes; i++)
            {
                var edges = Enumerable.Range(0, i).Select(k => weights.Softmax(cell, i, k))
                    .Select((w, k) => (Input: k, Weights: w, Strength: BestOp(w).Weight)).ToList();
                var picked = new List<(int Input, double[] Weights, double Strength)>();
                for (var j = 0; j < DartsSpace.Slots; j++)
                {
                    var left = edges.Except(picked).ToList();
                    picked.Add(left[Draw([.. left.Select(e => e.Strength)], rng)]);
                }
                var slot = 0;
                foreach (var p in picked.OrderByDescending(p => p.Strength)) // stable: equal strengths keep draw order
                {
                    var ops = p.Weights.Select((w, o) => DartsSpace.SearchOps[o] == DartsSpace.Zero ? 0 : w).ToArray();
                    choices.Add(KeyValuePair.Create(DartsSpace.OpKey(cell, i, slot), DartsSpace.SearchOps[Draw(ops, rng)]));
                    choices.Add(KeyValuePair.Create(DartsSpace.InputKey(cell, i, slot), p.Input.ToString(CultureInfo.InvariantCulture)));
                    slot++;
                }
            }
        return new Architecture(choices);
    }

    /// <summary>An index drawn with probability proportional to <paramref name="w"/> (non-negative, not all zero).</summary>
    private static int Draw(double[] w, Xoshiro256 rng)
    {
        var u = rng.NextDouble() * w.Sum();
        for (var k = 0; k < w.Length; k++)
        {
            if (w[k] > 0 && u < w[k]) return k;
            u -= w[k];
        }
        return Array.FindLastIndex(w, x => x > 0); // rounding left u at the top
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
