using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.SearchSpaces.Darts;
using NasActors.Core.Strategies.Darts;

namespace NasActors.Core.Tests.Strategies.Darts;

public class DartsDerivationTests
{
    private static int Op(string name) => DartsSpace.SearchOps.IndexOf(name);

    /// <summary>Zero logits everywhere but the given (cell, node, input, op) = value.</summary>
    private static ArchitectureWeights Weights(params (string Cell, int Node, int Input, string Op, double Value)[] set)
    {
        var cells = new Dictionary<string, IReadOnlyList<IReadOnlyList<double>>>();
        foreach (var cell in DartsSpace.CellTypes)
        {
            var edges = DartsSpace.Edges().Select(_ => new double[DartsSpace.SearchOps.Length]).ToList();
            foreach (var s in set.Where(s => s.Cell == cell)) edges[DartsSpace.EdgeIndex(s.Node, s.Input)][Op(s.Op)] = s.Value;
            cells[cell] = edges;
        }
        return new ArchitectureWeights(cells);
    }

    private static Architecture Expected(string cell, params (string Op, int Input)[] slots) =>
        new(slots.SelectMany((s, n) => new[]
        {
            KeyValuePair.Create(DartsSpace.OpKey(cell, 2 + n / 2, n % 2), s.Op),
            KeyValuePair.Create(DartsSpace.InputKey(cell, 2 + n / 2, n % 2), s.Input.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        }));

    [Fact]
    public void Derivation_must_keep_per_node_the_two_strongest_edges_and_their_best_op_ignoring_none()
    {
        var w = Weights(
            ("normal", 2, 0, "sep_conv_3x3", 4.0), ("normal", 2, 1, "skip_connect", 3.0),
            // Edge (3, 2) is dominated by 'none': its best real op is weak, so it is dropped although its largest logit is the cell's largest.
            ("normal", 3, 2, "none", 10.0), ("normal", 3, 2, "dil_conv_3x3", 2.0), ("normal", 3, 0, "max_pool_3x3", 1.0), ("normal", 3, 1, "avg_pool_3x3", 1.5),
            ("normal", 4, 3, "sep_conv_5x5", 2.0), ("normal", 4, 2, "dil_conv_5x5", 1.0),
            ("reduce", 2, 1, "skip_connect", 1.0));

        var arch = DartsDerivation.Derive(w);

        var normal = Expected("normal", ("sep_conv_3x3", 0), ("skip_connect", 1), ("avg_pool_3x3", 1), ("max_pool_3x3", 0),
            ("sep_conv_5x5", 3), ("dil_conv_5x5", 2),
            ("max_pool_3x3", 0), ("max_pool_3x3", 1)); // node 5: all equal, so the first op and the lower inputs
        var reduce = Expected("reduce", ("skip_connect", 1), ("max_pool_3x3", 0), ("max_pool_3x3", 0), ("max_pool_3x3", 1),
            ("max_pool_3x3", 0), ("max_pool_3x3", 1), ("max_pool_3x3", 0), ("max_pool_3x3", 1));
        Assert.Equal(new Architecture(normal.Choices.Concat(reduce.Choices)), arch);
        DartsSpace.Create(DartsSpec.Default).Validate(arch); // a complete architecture of the space
    }

    [Fact]
    public void Architecture_weights_must_start_small_seeded_and_give_softmax_weights()
    {
        var a = ArchitectureWeights.Initial(Xoshiro256.FromSeed(5));
        var b = ArchitectureWeights.Initial(Xoshiro256.FromSeed(5));
        var c = ArchitectureWeights.Initial(Xoshiro256.FromSeed(6));

        Assert.Equal(a.Logits("reduce", 5, 4).AsEnumerable(), b.Logits("reduce", 5, 4).AsEnumerable());
        Assert.NotEqual(a.Logits("reduce", 5, 4).AsEnumerable(), c.Logits("reduce", 5, 4).AsEnumerable());
        var all = DartsSpace.CellTypes.SelectMany(cell => a.Logits(cell)).SelectMany(e => e).ToList();
        Assert.Equal(2 * 14 * 8, all.Count);
        Assert.All(all, v => Assert.InRange(Math.Abs(v), 0, 0.01)); // 1e-3 · N(0, 1)
        Assert.InRange(all.Select(Math.Abs).Average(), 2e-4, 2e-3);   // not all zero: E|N(0,1)| ≈ 0.8

        var w = Weights(("normal", 3, 1, "sep_conv_3x3", Math.Log(3.0))).Softmax("normal", 3, 1);
        Assert.Equal(1.0, w.Sum(), 12);
        Assert.Equal(3.0 / 10.0, w[Op("sep_conv_3x3")], 12);
        Assert.Equal(1.0 / 10.0, w[Op("none")], 12);
    }

    [Fact]
    public void Edges_must_be_indexed_in_the_official_order()
    {
        Assert.Equal(DartsSpace.EdgeCount, DartsSpace.Edges().Count());
        Assert.Equal(Enumerable.Range(0, 14), DartsSpace.Edges().Select(e => DartsSpace.EdgeIndex(e.Node, e.Input)));
        Assert.Equal(2, DartsSpace.EdgeIndex(3, 0));
        Assert.Equal(13, DartsSpace.EdgeIndex(5, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => DartsSpace.EdgeIndex(3, 3));
        Assert.Equal("none", DartsSpace.SearchOps[0]);
        Assert.Equal(DartsSpace.Ops.AsEnumerable(), DartsSpace.SearchOps[1..].AsEnumerable());
    }

    [Fact]
    public void Summary_must_show_both_cells_node_by_node_with_short_op_names_and_inputs()
    {
        var a = new Architecture(Expected("normal", ("sep_conv_3x3", 1), ("skip_connect", 0), ("dil_conv_5x5", 2), ("avg_pool_3x3", 0),
                                     ("sep_conv_5x5", 3), ("max_pool_3x3", 1), ("dil_conv_3x3", 4), ("skip_connect", 2)).Choices
            .Concat(Expected("reduce", ("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
                ("skip_connect", 2), ("max_pool_3x3", 0), ("skip_connect", 2), ("avg_pool_3x3", 4)).Choices));
        Assert.Equal("normal 2=sep3(1)+skip(0) 3=dil5(2)+avg(0) 4=sep5(3)+max(1) 5=dil3(4)+skip(2) | reduce 2=max(0)+max(1) 3=skip(2)+max(1) 4=skip(2)+max(0) 5=skip(2)+avg(4)",
            DartsSpace.Summary(a));
    }

    [Fact]
    public void Sampled_cells_must_be_valid_seeded_and_follow_the_weights()
    {
        // Normal node 2: input 0 carries sep_conv_3x3 strongly; input 1 is weak; reduce is uniform.
        var w = Weights(("normal", 2, 0, "sep_conv_3x3", 6.0), ("normal", 2, 1, "skip_connect", 0.5));
        var space = DartsSpace.Create(DartsSpec.Default);
        var samples = Enumerable.Range(0, 400).Select(i => DartsDerivation.Sample(w, Xoshiro256.FromSeed(i))).ToList();
        foreach (var a in samples)
        {
            space.Validate(a);
            foreach (var cell in DartsSpace.CellTypes)
                for (var node = DartsSpace.FirstNode; node < DartsSpace.FirstNode + DartsSpace.Nodes; node++)
                    Assert.NotEqual(a[DartsSpace.InputKey(cell, node, 0)], a[DartsSpace.InputKey(cell, node, 1)]);
        }
        Assert.Equal(samples[7], DartsDerivation.Sample(w, Xoshiro256.FromSeed(7)));
        Assert.True(samples.Distinct().Count() > 300, "samples of near-uniform weights should rarely repeat");
        // Node 2 has only two inputs, so both are taken, the stronger (input 0) in slot 0; its op is sep_conv_3x3 with
        // probability e^6 / (e^6 + 6) = 0.985 among the ops other than none.
        Assert.All(samples, a => Assert.Equal("0", a[DartsSpace.InputKey("normal", 2, 0)]));
        var sep = samples.Count(a => a[DartsSpace.OpKey("normal", 2, 0)] == "sep_conv_3x3");
        Assert.InRange(sep, 380, 400);
        Assert.DoesNotContain(samples, a => a.Choices.Values.Contains(DartsSpace.Zero));
    }
}
