using System.Text.Json;
using NasActors.Core.SearchSpaces;
using NasActors.Core.SearchSpaces.Darts;
using NasActors.Torch.Mutables;
using NasActors.Torch.Spaces;
using NasActors.Torch.Spaces.Darts;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Tests.Spaces;

public class DartsNetworkTests
{
    private static readonly DartsModule Module = new();

    /// <summary>The two architectures NNI's DARTS tutorial prints, as files in examples/darts.</summary>
    public static readonly string[] TutorialFiles = ["nni-tutorial-darts.json", "nni-tutorial-darts-clipped.json"];

    private static string Tutorial(string file)
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "NasActors.sln"))) dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository root not found");
        return File.ReadAllText(Path.Combine(dir, "examples", "darts", file));
    }

    private static ModelSpace Create(DartsSpec spec) => SupernetCatalog.Create(Module, spec);

    private static Architecture Arch(IEnumerable<(string Key, string Value)> kvs) => new(kvs.Select(kv => KeyValuePair.Create(kv.Key, kv.Value)));

    /// <summary>Every slot max_pool_3x3 on input 0, except the given pairs.</summary>
    private static Architecture Pools(params (string Key, string Value)[] changes)
    {
        var kvs = DartsSpace.Create(DartsSpec.Default).Choices.ToDictionary(c => c.Key, c => c.Kind == ChoiceKind.Input ? "0" : "max_pool_3x3");
        foreach (var (k, v) in changes) kvs[k] = v;
        return Arch(kvs.Select(kv => (kv.Key, kv.Value)));
    }

    private static long ParamCount(nn.Module m) => m.parameters().Sum(p => p.numel());

    [Fact]
    public void Darts_space_must_have_the_seed_dict_keys_in_the_seed_order()
    {
        using var model = Create(new DartsSpec(4, 3, DartsSpec.FashionMnist));
        using var doc = JsonDocument.Parse(Tutorial(TutorialFiles[0]));

        Assert.Equal(doc.RootElement.EnumerateObject().Select(p => p.Name), model.Space.Choices.Select(c => c.Key));
        Assert.Equal(32, model.Space.Choices.Length);
        Assert.Equal(DartsSpace.Create(new DartsSpec(4, 3, DartsSpec.FashionMnist)).Hash, model.Space.Hash); // model and Core description agree
        Assert.Equal(DartsSpace.Ops.AsEnumerable(), model.Space["reduce/op_5_1"].Candidates.AsEnumerable());
        Assert.Equal(["0", "1", "2", "3", "4"], model.Space["normal/input_5_0"].Candidates.AsEnumerable());
    }

    [Theory]
    [InlineData(DartsSpec.FashionMnist, 1, 28)]
    [InlineData(DartsSpec.Cifar10, 3, 32)]
    public void Tutorial_architectures_must_parse_and_run_a_forward(string dataset, int channels, int side)
    {
        using var model = Create(new DartsSpec(4, 5, dataset));
        using var scope = torch.NewDisposeScope();
        foreach (var file in TutorialFiles)
        {
            var arch = NniArchitectureJson.Parse(Tutorial(file), model.Space);
            var y = model.Forward(torch.randn(2, channels, side, side), arch);

            Assert.Equal(new long[] { 2, 10 }, y.shape);
            Assert.True(y.isfinite().all().item<bool>());
            Assert.Equal(arch, NniArchitectureJson.Parse(NniArchitectureJson.ToJson(arch, model.Space), model.Space));
        }
    }

    [Fact]
    public void Darts_network_must_place_reductions_at_a_third_and_two_thirds_and_halve_the_resolution()
    {
        using var net = new DartsNetwork(new DartsSpec(4, 8, DartsSpec.FashionMnist));
        Assert.Equal([false, false, true, false, false, true, false, false], net.Cells.Select(c => c.Reduction));
        Assert.Equal([4, 4, 8, 8, 8, 16, 16, 16], net.Cells.Select(c => c.Channels));
        // Seven ops on each of the 2 + 3 + 4 + 5 edges of every cell (the official MixedOp edges).
        Assert.All(net.Cells, c => Assert.Equal(14 * 7, Enumerable.Range(2, 4).Sum(i => Enumerable.Range(0, i).Sum(k => c.Node(i).Edge(k).Count))));
    }

    [Fact]
    public void Fixed_darts_model_must_keep_only_the_chosen_edges_and_count_its_parameters()
    {
        // channels 4, cells 3: a normal cell (4 channels) then two reduction cells (8, 16).
        var spec = new DartsSpec(4, 3, DartsSpec.FashionMnist);
        // stem conv 1→12 (108) + BN (24); cell 0: two 1x1 12→4 (48 + 48); cell 1: 12→8, 16→8 (96 + 128);
        // cell 2 after a reduction: FactorizedReduce 16→16 (2·128) and 16·2→16 (512); classifier 64→10 (650). Pools and BN without affine: none.
        const long poolsOnly = 108 + 24 + 48 + 48 + 96 + 128 + 256 + 512 + 650;
        // sep_conv_3x3 at 4 channels: 2·(dw 4·9 + pw 4·4) = 104; skip_connect from a cell input in a reduction cell is
        // FactorizedReduce(C, C): 2·C·C/2 = 64 at 8 and 256 at 16 channels.
        var arch = Pools(("normal/op_2_0", "sep_conv_3x3"), ("normal/input_2_0", "1"), ("reduce/op_3_1", "skip_connect"), ("reduce/input_3_1", "1"));
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 1, 28, 28);

        using var counted = Create(spec);
        Assert.Equal(poolsOnly, counted.Measure(Pools()).Params);
        Assert.Equal(poolsOnly + 104 + 64 + 256, counted.Measure(arch).Params);

        using var model = Create(spec);
        model.Model.eval();
        var before = model.Forward(x, arch);
        var fixedModel = model.Fix(arch);
        Assert.Equal(poolsOnly + 104 + 64 + 256, ParamCount(fixedModel));
        Assert.True(before.eq(fixedModel.call(x)).all().item<bool>());
        var names = fixedModel.named_parameters().Select(p => p.name).ToHashSet();
        // The slot (node 2, j = 0) with input 1 runs edge (2, 1): its weights are the edge's, per the official layout.
        Assert.Contains("cells.0.nodes.0.edges.1.sep_conv_3x3.dw1.weight", names);
        Assert.Contains("cells.2.nodes.1.edges.1.skip_connect.conv1.weight", names);
        Assert.DoesNotContain(names, n => n.Contains(".edges.0.sep_conv"));
    }

    [Fact]
    public void Darts_space_must_pass_the_dry_run_checks_and_cost_each_architecture()
    {
        using var model = Create(new DartsSpec(4, 3, DartsSpec.FashionMnist));
        var costs = model.CheckAndCount(additivityChecks: 4); // reaches every edge's every op (IWeightRouter.Reaching)
        var arch = NniArchitectureJson.Parse(Tutorial(TutorialFiles[1]), model.Space);

        Assert.Equal(model.Measure(arch), costs.Cost(arch));
        Assert.True(costs.Cost(arch).Flops > costs.Cost(Pools()).Flops);
    }

    // ---------------------------------------------------------------- mixed ops (the differentiable strategy's forward)

    [Fact]
    public void Mixed_node_must_equal_the_weighted_sum_of_every_op_on_every_edge()
    {
        using var scope = torch.NewDisposeScope();
        using var node = new DartsNode(DartsSpace.Reduce, 4, 4, reduction: true, affine: false);
        node.eval();
        // Reduction node 4: edges from the cell inputs (16x16, stride 2) and from nodes 2 and 3 (8x8).
        Tensor[] states = [torch.randn(2, 4, 16, 16), torch.randn(2, 4, 16, 16), torch.randn(2, 4, 8, 8), torch.randn(2, 4, 8, 8)];
        var weights = Enumerable.Range(0, 4).Select(_ => torch.randn(8).softmax(0)).ToArray();

        var mixed = node.MixedForward(states, weights);

        var expected = torch.zeros(2, 4, 8, 8);
        for (var k = 0; k < 4; k++)
        {
            var ops = node.Edge(k);
            Assert.Equal(DartsSpace.Ops.AsEnumerable(), ops.Select(o => o.Name));
            // 'none' (weight 0 of the edge) contributes zero; op o is weight o + 1.
            for (var o = 0; o < ops.Count; o++) expected = expected + weights[k][o + 1].item<float>() * ops[o].Module.call(states[k]);
        }
        Assert.True(mixed.allclose(expected, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Mixed_network_with_one_hot_weights_must_equal_the_single_path_of_that_architecture()
    {
        using var model = Create(new DartsSpec(4, 3, DartsSpec.FashionMnist));
        using var scope = torch.NewDisposeScope();
        var net = (DartsNetwork)model.Model;
        net.eval();
        var x = torch.randn(2, 1, 28, 28);
        // A tutorial architecture: its two slots per node use two different edges, so one-hot edge weights express it.
        var arch = NniArchitectureJson.Parse(Tutorial(TutorialFiles[1]), model.Space);
        Tensor OneHot(string cell)
        {
            var w = torch.zeros(DartsSpace.EdgeCount, DartsSpace.SearchOps.Length);
            for (var i = 2; i < 6; i++)
                for (var j = 0; j < 2; j++)
                {
                    var k = int.Parse(arch[DartsSpace.InputKey(cell, i, j)], System.Globalization.CultureInfo.InvariantCulture);
                    w[DartsSpace.EdgeIndex(i, k), DartsSpace.SearchOps.IndexOf(arch[DartsSpace.OpKey(cell, i, j)])] = 1f;
                }
            return w;
        }

        var single = model.Forward(x, arch);
        var mixed = net.WeightedForward(x, OneHot(DartsSpace.Normal), OneHot(DartsSpace.Reduce));
        var uniform = net.MixedForward(x, torch.zeros(14, 8), torch.zeros(14, 8));

        Assert.True(mixed.allclose(single, rtol: 1e-4, atol: 1e-5));
        Assert.False(uniform.allclose(single, rtol: 1e-4, atol: 1e-5));
        Assert.Equal(new long[] { 2, 10 }, uniform.shape);
    }
}
