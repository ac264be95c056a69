using System.Collections.Immutable;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces.Darts;

namespace NasActors.Core.Strategies.Darts;

/// <summary>
/// DARTS's architecture parameters α, immutable: for each cell type (normal, reduce) and each of its 14 edges (node i,
/// input k, in <see cref="DartsSpace.Edges"/> order) one logit per op of <see cref="DartsSpace.SearchOps"/> ('none'
/// first, the official PRIMITIVES order). An edge's mixed op weights its ops by the softmax of its logits. The values
/// travel in checkpoints and events as plain numbers; the Torch side copies them into parameters for a step.
/// </summary>
public sealed class ArchitectureWeights
{
    private readonly ImmutableDictionary<string, ImmutableArray<ImmutableArray<double>>> _alphas;

    public ArchitectureWeights(IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<double>>> alphas)
    {
        var b = ImmutableDictionary.CreateBuilder<string, ImmutableArray<ImmutableArray<double>>>(StringComparer.Ordinal);
        foreach (var cell in DartsSpace.CellTypes)
        {
            if (!alphas.TryGetValue(cell, out var edges))
                throw new ArgumentException($"architecture weights lack the {cell} cell");
            if (edges.Count != DartsSpace.EdgeCount)
                throw new ArgumentException($"the {cell} cell has {edges.Count} edges of weights; a DARTS cell has {DartsSpace.EdgeCount}");
            foreach (var e in edges)
                if (e.Count != DartsSpace.SearchOps.Length || e.Any(v => !double.IsFinite(v)))
                    throw new ArgumentException($"an edge of the {cell} cell has {e.Count} weights (or a non-finite one); each needs {DartsSpace.SearchOps.Length} finite values");
            b[cell] = [.. edges.Select(e => e.ToImmutableArray())];
        }
        if (alphas.Count != DartsSpace.CellTypes.Length)
            throw new ArgumentException($"architecture weights name cells other than {string.Join(", ", DartsSpace.CellTypes)}");
        _alphas = b.ToImmutable();
    }

    /// <summary>The official initialisation, 1e-3 · N(0, 1) per logit, drawn from <paramref name="rng"/> (normal edges first).</summary>
    public static ArchitectureWeights Initial(Xoshiro256 rng)
    {
        var cells = new Dictionary<string, IReadOnlyList<IReadOnlyList<double>>>();
        foreach (var cell in DartsSpace.CellTypes)
            cells[cell] = [.. Enumerable.Range(0, DartsSpace.EdgeCount).Select(_ => (IReadOnlyList<double>)[.. DartsSpace.SearchOps.Select(_ => 1e-3 * Normal(rng))])];
        return new ArchitectureWeights(cells);
    }

    /// <summary>Weights from the logits of both cell types ([edge][op], 'none' first).</summary>
    public static ArchitectureWeights FromLogits(ImmutableArray<ImmutableArray<double>> normal, ImmutableArray<ImmutableArray<double>> reduce) =>
        new(new Dictionary<string, IReadOnlyList<IReadOnlyList<double>>>
        {
            [DartsSpace.Normal] = [.. normal.Select(e => (IReadOnlyList<double>)e)],
            [DartsSpace.Reduce] = [.. reduce.Select(e => (IReadOnlyList<double>)e)],
        });

    /// <summary>
    /// Weights whose softmax is <paramref name="normal"/> / <paramref name="reduce"/> (their logs as logits): what a
    /// journaled epoch derives from. A zero weight (an underflowed softmax) becomes a very small logit, not -inf.
    /// </summary>
    public static ArchitectureWeights FromSoftmax(ImmutableArray<ImmutableArray<double>> normal, ImmutableArray<ImmutableArray<double>> reduce)
    {
        static ImmutableArray<ImmutableArray<double>> Log(ImmutableArray<ImmutableArray<double>> w) =>
            [.. w.Select(e => e.Select(v => Math.Log(Math.Max(v, double.Epsilon))).ToImmutableArray())];
        return FromLogits(Log(normal), Log(reduce));
    }

    /// <summary>The softmax of every edge of <paramref name="cell"/>, in <see cref="DartsSpace.Edges"/> order.</summary>
    public ImmutableArray<ImmutableArray<double>> Softmax(string cell) =>
        [.. DartsSpace.Edges().Select(e => Softmax(cell, e.Node, e.Input).ToImmutableArray())];

    /// <summary>The logits of edge (<paramref name="node"/>, <paramref name="input"/>) of <paramref name="cell"/>.</summary>
    public ImmutableArray<double> Logits(string cell, int node, int input) => _alphas[cell][DartsSpace.EdgeIndex(node, input)];

    /// <summary>Every edge's logits of <paramref name="cell"/>, in <see cref="DartsSpace.Edges"/> order.</summary>
    public ImmutableArray<ImmutableArray<double>> Logits(string cell) => _alphas[cell];

    /// <summary>The softmax of edge (<paramref name="node"/>, <paramref name="input"/>): its mixed op's weights.</summary>
    public double[] Softmax(string cell, int node, int input)
    {
        var a = Logits(cell, node, input);
        var max = a.Max();
        var e = a.Select(v => Math.Exp(v - max)).ToArray();
        var sum = e.Sum();
        return [.. e.Select(v => v / sum)];
    }

    /// <summary>Standard normal by Box–Muller (one value per two uniforms: simple and reproducible).</summary>
    private static double Normal(Xoshiro256 rng)
    {
        var u1 = 1.0 - rng.NextDouble(); // (0, 1]: log is finite
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
