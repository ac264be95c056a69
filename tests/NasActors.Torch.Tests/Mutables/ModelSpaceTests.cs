using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Torch.Mutables;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Tests.Mutables;

public class ModelSpaceTests
{
    private static readonly long[] Mnist = [1, 1, 28, 28];

    private static Architecture Arch(params (string Key, string Value)[] kvs) =>
        new(kvs.Select(kv => KeyValuePair.Create(kv.Key, kv.Value)));

    private static Architecture Seed(string conv1, int width, bool skip) =>
        Arch(("conv1", conv1), ("width", width.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("skip", skip ? "0" : ""));

    private static LayerChoice LinOrId(string? key) => new(key, ("lin", nn.Linear(4, 4)), ("id", nn.Identity()));

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static long ParamCount(nn.Module m) => m.parameters().Sum(p => p.numel());

    // ---------------------------------------------------------------- space extraction

    [Fact]
    public void ModelSpace_must_read_the_seed_network_keys_kinds_candidates_and_size()
    {
        using var space = ModelSpace.Create("mnist", new MnistSkipNet(), Mnist);
        var c = space.Space.Choices;

        Assert.Equal(["conv1", "width", "skip"], c.Select(x => x.Key));
        Assert.Equal([ChoiceKind.Layer, ChoiceKind.Value, ChoiceKind.Input], c.Select(x => x.Kind));
        Assert.Equal(["conv3x3", "conv5x5"], c[0].Candidates.AsEnumerable());
        Assert.Equal(["4", "8"], c[1].Candidates.AsEnumerable());
        Assert.Equal(["0"], c[2].Candidates.AsEnumerable());
        Assert.Equal([1, 1, Choice.AnyNumber], c.Select(x => x.NChosen));
        Assert.Equal(8, space.Space.Size);
        Assert.Equal("mnist", space.Space.Name);
        // conv1, the value choice, three Select layers and the input choice: six mutables, three decisions.
        Assert.Equal(6, space.Mutables.Count());
        Assert.Equal(["conv1", "width", "conv2", "skipcon", "conv3", "fc1"], space.Mutables.Select(m => m.Path));
        Assert.All(space.Mutables.Where(m => m.Path is "conv2" or "conv3" or "fc1"), m => Assert.Equal("width", m.Mutable.Key));
    }

    [Fact]
    public void ModelSpace_must_key_an_unlabelled_value_choice_by_its_field_path()
    {
        using var space = ModelSpace.Create("mnist", new MnistSkipNet(widthKey: null), Mnist);

        Assert.Equal(["conv1", "width", "skip"], space.Space.Choices.Select(x => x.Key));
        Assert.Equal(ChoiceKind.Value, space.Space["width"].Kind);
    }

    [Fact]
    public void ModelSpace_must_key_an_unlabelled_value_choice_by_its_field_even_when_declared_after_its_layers()
    {
        using var space = ModelSpace.Create("late", new LateWidthNet(), 1, 4);

        Assert.Equal(Choice.Value("width", "2", "3"), Assert.Single(space.Space.Choices));
        Assert.Equal(["up", "down", "width"], space.Mutables.Select(m => m.Path));
    }

    [Fact]
    public void ModelSpace_must_key_a_labelled_value_choice_by_its_label_for_every_select_layer()
    {
        using var space = ModelSpace.Create("mnist", new MnistSkipNet(widthKey: "hidden/width"), Mnist);

        Assert.Equal(["conv1", "hidden/width", "skip"], space.Space.Choices.Select(x => x.Key));
        Assert.All(space.Mutables.Where(m => m.Mutable is LayerChoice && m.Path != "conv1"),
            m => Assert.Equal("hidden/width", m.Mutable.Key));
    }

    [Fact]
    public void ModelSpace_must_key_an_unregistered_value_choice_by_the_path_of_its_first_layer()
    {
        var w = new ValueChoice<int>(null, 2, 3);
        var model = new Chain(("up", w.Select(n => nn.Linear(4, n))), ("down", w.Select(n => nn.Linear(n, 4))));
        using var space = ModelSpace.Create("unregistered", model, 1, 4);

        var only = Assert.Single(space.Space.Choices);
        Assert.Equal(Choice.Value("up", "2", "3"), only);
        Assert.Equal("up", w.Key);
        // The value choice is no submodule of the layers built from it.
        Assert.Equal(["up", "down"], space.Mutables.Select(m => m.Path));
        Assert.DoesNotContain(model.named_modules(), m => m.name.Contains("source", StringComparison.Ordinal));
        foreach (var n in new[] { "2", "3" })
            Assert.Equal(new long[] { 1, 4 }, space.Forward(torch.ones(1, 4), Arch(("up", n))).shape);
    }

    [Fact]
    public void ModelSpace_must_merge_layer_choices_sharing_a_key_into_one_decision()
    {
        var x = LinOrId("op");
        var y = LinOrId("op");
        using var space = ModelSpace.Create("shared", new Chain(("x", x), ("y", y), ("z", LinOrId(null))), 1, 4);

        Assert.Equal(["op", "z"], space.Space.Choices.Select(c => c.Key));
        Assert.Equal(Choice.Layer("op", "lin", "id"), space.Space["op"]);
        Assert.Equal(4, space.Space.Size);
        space.Activate(Arch(("op", "id"), ("z", "lin")));
        Assert.Equal(("id", "id"), (x.Chosen, y.Chosen));
        space.Activate(Arch(("op", "lin"), ("z", "lin")));
        Assert.Equal(("lin", "lin"), (x.Chosen, y.Chosen));
    }

    [Fact]
    public void ModelSpace_must_order_choices_by_first_use_in_forward_not_by_field_order()
    {
        using var space = ModelSpace.Create("order", new ReversedOrderNet(), 1, 4);

        Assert.Equal(["a", "b", "unused"], space.Mutables.Select(m => m.Path));
        // forward runs b before a; the value choice is never read, so it comes last.
        Assert.Equal(["b", "a", "unused"], space.Space.Choices.Select(c => c.Key));
        Assert.Equal(Choice.Layer("b", "relu", "tanh", "id"), space.Space["b"]);
        Assert.Equal(Choice.Value("unused", "1", "2"), space.Space["unused"]);
        Assert.Equal(12, space.Space.Size);
    }

    [Fact]
    public void ModelSpace_must_generate_path_keys_inside_module_lists()
    {
        using var space = ModelSpace.Create("list", new ListNet(), 1, 4);

        Assert.Equal(["blocks.0.op", "blocks.1.op"], space.Space.Choices.Select(c => c.Key));
        Assert.All(space.Space.Choices, c => Assert.Equal(["lin", "id"], c.Candidates.AsEnumerable()));
    }

    [Fact]
    public void Repeat_must_give_a_key_per_block_when_the_factory_uses_i()
    {
        var model = new Chain(("stack", new Repeat("depth", i => new OpBlock($"op{i}"), 1, 2, 3)));
        using var space = ModelSpace.Create("repeat", model, 1, 4);

        Assert.Equal(["depth", "op0", "op1", "op2"], space.Space.Choices.Select(c => c.Key));
        Assert.Equal(Choice.Value("depth", "1", "2", "3"), space.Space["depth"]);
        Assert.Equal(3 * 2 * 2 * 2, space.Space.Size);
    }

    [Fact]
    public void Repeat_must_share_one_decision_when_every_block_uses_the_same_key()
    {
        var model = new Chain(("stack", new Repeat("depth", _ => new OpBlock("op"), 1, 2, 3)));
        using var space = ModelSpace.Create("repeat", model, 1, 4);

        Assert.Equal(["depth", "op"], space.Space.Choices.Select(c => c.Key));
        Assert.Equal(6, space.Space.Size);
    }

    [Fact]
    public void Repeat_must_give_unlabelled_mutables_in_its_blocks_path_keys()
    {
        var model = new Chain(("stack", new Repeat(null, _ => new OpBlock(), 1, 2)));
        using var space = ModelSpace.Create("repeat", model, 1, 4);

        Assert.Equal(["stack", "stack.blocks.0.op", "stack.blocks.1.op"], space.Space.Choices.Select(c => c.Key));
    }

    // ---------------------------------------------------------------- the seed network: forward and costs

    [Fact]
    public void Seed_network_must_forward_every_architecture_and_the_skip_must_change_the_output()
    {
        torch.manual_seed(3);
        using var space = ModelSpace.Create("mnist", new MnistSkipNet(), Mnist);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 1, 28, 28);

        var archs = space.Space.Enumerate().ToList();
        Assert.Equal(8, archs.Count);
        Assert.Equal(8, archs.Distinct().Count());
        foreach (var a in archs)
        {
            var y = space.Forward(x, a);
            Assert.Equal(new long[] { 2, 10 }, y.shape);
            Assert.True(y.isfinite().all().item<bool>(), a.ToString());
        }
        var with = space.Forward(x, Seed("conv3x3", 4, skip: true));
        var without = space.Forward(x, Seed("conv3x3", 4, skip: false));
        Assert.False(Same(with, without));
    }

    [Fact]
    public void Seed_network_costs_must_equal_the_hand_count_and_the_fixed_model_for_every_architecture()
    {
        using var space = ModelSpace.Create("mnist", new MnistSkipNet(), Mnist);
        var costs = space.CheckAndCount();

        // conv1 and width change disjoint layers and the skip has no weights: the costs add up.
        Assert.IsType<CostTable>(costs);
        foreach (var a in space.Space.Enumerate())
        {
            var (conv1, w) = (a["conv1"], int.Parse(a["width"], System.Globalization.CultureInfo.InvariantCulture));
            using var fresh = ModelSpace.Create("mnist", new MnistSkipNet(), Mnist);
            var fixedParams = ParamCount(fresh.Fix(a));
            var expected = new ArchitectureCost(MnistSkipNet.Flops(conv1, w), MnistSkipNet.Params(conv1, w));

            Assert.Equal(expected.Params, fixedParams);
            Assert.Equal(expected, costs.Cost(a));
            Assert.Equal(expected, space.Measure(a));
        }
        Assert.Equal(new ArchitectureCost(MnistSkipNet.Flops("conv3x3", 4), MnistSkipNet.Params("conv3x3", 4)), costs.Minimum(space.Space));
    }

    [Fact]
    public void CheckAndCount_must_measure_each_architecture_when_a_width_and_a_depth_interact()
    {
        // stem 1->w (3x3, pad 1) and d blocks w->w (1x1) at 6x6: d·w² does not split into a per-choice sum.
        var w = new ValueChoice<int>("width", 2, 4);
        var model = new Chain(("w", new ChainHolder(w)), ("stem", w.Select(n => nn.Conv2d(1, n, 3, padding: 1))),
            ("stack", new Repeat("depth", _ => w.Select(n => nn.Conv2d(n, n, 1)), 1, 2)));
        using var space = ModelSpace.Create("interact", model, 1, 1, 6, 6);
        Assert.Equal(["width", "depth"], space.Space.Choices.Select(c => c.Key));

        var costs = space.CheckAndCount();

        Assert.False(costs.Cheap);
        Assert.IsNotType<CostTable>(costs);
        foreach (var a in space.Space.Enumerate())
        {
            long n = int.Parse(a["width"], System.Globalization.CultureInfo.InvariantCulture);
            long d = int.Parse(a["depth"], System.Globalization.CultureInfo.InvariantCulture);
            var expected = new ArchitectureCost(n * 36 * 9 + d * n * n * 36, n * 9 + n + d * (n * n + n));
            Assert.Equal(expected, costs.Cost(a));
        }
        Assert.Equal(new ArchitectureCost(2 * 36 * 9 + 2 * 2 * 36, 2 * 9 + 2 + 2 * 2 + 2), costs.Minimum(space.Space));
    }

    [Fact]
    public void CheckAndCount_must_count_value_choices_nested_in_layer_choice_candidates()
    {
        // NNI allows a value choice inside a candidate: the 1x1 conv at width 4 runs only when op = k1 and width = 4,
        // which neither the base architecture nor any single-choice change of it selects.
        var w = new ValueChoice<int>("width", 2, 4);
        var model = new Chain(("stem", w.Select(n => nn.Conv2d(1, n, 3, padding: 1))),
            ("op", new LayerChoice("op", ("k3", w.Select(n => nn.Conv2d(n, n, 3, padding: 1))), ("k1", w.Select(n => nn.Conv2d(n, n, 1))))));
        using var space = ModelSpace.Create("nested", model, 1, 1, 6, 6);
        Assert.Equal(["width", "op"], space.Space.Choices.Select(c => c.Key));

        var costs = space.CheckAndCount();

        Assert.False(costs.Cheap);
        foreach (var a in space.Space.Enumerate())
        {
            long n = int.Parse(a["width"], System.Globalization.CultureInfo.InvariantCulture);
            long k = a["op"] == "k3" ? 9 : 1;
            Assert.Equal(new ArchitectureCost(n * 36 * 9 + n * n * 36 * k, n * 9 + n + n * n * k + n), costs.Cost(a));
        }
    }

    [Fact]
    public void Repeat_costs_must_count_only_the_blocks_that_run_for_every_architecture()
    {
        Chain Build() => new(("stack", new Repeat("depth", i => new OpBlock($"op{i}"), 1, 2, 3)));
        using var space = ModelSpace.Create("repeat", Build(), 1, 4);
        var costs = space.CheckAndCount();

        foreach (var a in space.Space.Enumerate())
        {
            var d = int.Parse(a["depth"], System.Globalization.CultureInfo.InvariantCulture);
            var lins = Enumerable.Range(0, d).Count(i => a[$"op{i}"] == "lin");
            using var fresh = ModelSpace.Create("repeat", Build(), 1, 4);
            Assert.Equal(20L * lins, ParamCount(fresh.Fix(a)));
            Assert.Equal(new ArchitectureCost(16L * lins, 20L * lins), costs.Cost(a));
        }
        // op2 costs something only at depth 3: not additive.
        Assert.False(costs.Cheap);
        Assert.Equal(new ArchitectureCost(0, 0), costs.Minimum(space.Space));
    }

    [Fact]
    public void Model_space_must_leave_the_model_in_training_mode()
    {
        var model = new MnistSkipNet();
        using var space = ModelSpace.Create("mnist", model, Mnist);
        Assert.True(model.training);
        space.CheckAndCount();
        Assert.True(model.training);
        space.Measure(Seed("conv5x5", 8, true));
        Assert.True(model.training);
    }

    [Fact]
    public void Single_path_backward_must_leave_unchosen_candidates_without_gradient()
    {
        var model = new MnistSkipNet();
        using var space = ModelSpace.Create("mnist", model, Mnist);
        using var scope = torch.NewDisposeScope();

        space.Forward(torch.randn(2, 1, 28, 28), Seed("conv5x5", 4, true)).sum().backward();

        var grads = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        Assert.NotNull(grads["conv1.choices.conv5x5.weight"]);
        Assert.NotNull(grads["conv2.choices.4.weight"]);
        Assert.NotNull(grads["fc1.choices.4.weight"]);
        Assert.Null(grads["conv1.choices.conv3x3.weight"]);
        Assert.Null(grads["conv2.choices.8.weight"]);
        Assert.Null(grads["fc1.choices.8.weight"]);
    }

    [Fact]
    public void ValueChoice_must_give_its_value_to_forward()
    {
        torch.manual_seed(5);
        using var space = ModelSpace.Create("scale", new ScaleNet(), 1, 4);
        Assert.Equal(Choice.Value("scale", "0.5", "2"), Assert.Single(space.Space.Choices));
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4);

        var half = space.Forward(x, Arch(("scale", "0.5")));
        var twice = space.Forward(x, Arch(("scale", "2")));
        Assert.True(torch.allclose(twice, half * 4));
        var costs = space.CheckAndCount();
        Assert.Equal(new ArchitectureCost(16, 20), costs.Cost(Arch(("scale", "2"))));
    }

    [Fact]
    public void InputChoice_must_reduce_the_chosen_inputs()
    {
        torch.manual_seed(9);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4);
        foreach (var (reduction, expect) in new (InputReduction, Func<Tensor, Tensor, Tensor>)[]
        {
            (InputReduction.Sum, (a, b) => a + b),
            (InputReduction.Mean, (a, b) => (a + b) / 2),
            (InputReduction.Concat, (a, b) => torch.cat([a, b], 1)),
        })
        {
            var net = new TwoInputNet(reduction, null);
            using var space = ModelSpace.Create("pick", net, 1, 4);
            var lin = net.Lin.call(x);
            Assert.Equal(Choice.Input("pick", 2, Choice.AnyNumber), Assert.Single(space.Space.Choices));
            Assert.True(torch.allclose(expect(x, lin), space.Forward(x, Arch(("pick", "0,1")))), reduction.ToString());
            Assert.True(Same(lin, space.Forward(x, Arch(("pick", "1")))));
            Assert.True(Same(x, space.Forward(x, Arch(("pick", "0")))));
            // none chosen: forward returns null, the model falls back to zeros.
            Assert.True(Same(torch.zeros_like(x), space.Forward(x, Arch(("pick", "")))));
        }
    }

    [Fact]
    public void InputChoice_must_refuse_reduction_none_in_forward()
    {
        var pick = new InputChoice("pick", 2, 1, InputReduction.None);
        var e = Assert.Throws<InvalidOperationException>(() => pick.forward(torch.ones(1), torch.ones(1)));
        Assert.Contains("'pick'", e.Message);
    }

    [Fact]
    public void InputChoice_must_allow_concat_of_inputs_that_differ_only_in_channels()
    {
        using var space = ModelSpace.Create("pick", new TwoInputNet(InputReduction.Concat, 2, outFeatures: 3), 1, 4);
        Assert.IsType<CostTable>(space.CheckAndCount());
        Assert.Equal(new long[] { 1, 7 }, space.Forward(torch.ones(1, 4), Arch(("pick", "0,1"))).shape);
    }

    // ---------------------------------------------------------------- fixed models

    [Fact]
    public void Fix_must_keep_only_the_chosen_weights()
    {
        using var space = ModelSpace.Create("mnist", new MnistSkipNet(), Mnist);
        var model = space.Fix(Seed("conv5x5", 8, skip: false));

        var names = model.named_parameters().Select(p => p.name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            new[]
            {
                "conv1.choices.conv5x5.bias", "conv1.choices.conv5x5.weight",
                "conv2.choices.8.bias", "conv2.choices.8.weight",
                "conv3.choices.8.bias", "conv3.choices.8.weight",
                "fc1.choices.8.bias", "fc1.choices.8.weight",
                "fc2.bias", "fc2.weight",
            }.Order(StringComparer.Ordinal),
            names);
        Assert.Equal(MnistSkipNet.Params("conv5x5", 8), ParamCount(model));
        Assert.Equal(10, model.state_dict().Count);
    }

    [Fact]
    public void Fixed_model_must_compute_what_the_supernet_computes_for_every_architecture()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 1, 28, 28);
        using var supernet = ModelSpace.Create("mnist", new MnistSkipNet(), Mnist);
        foreach (var a in supernet.Space.Enumerate())
        {
            var expected = supernet.Forward(x, a);
            // The supernet's weights copied, not re-drawn under the same manual seed: libtorch's global generator is
            // shared with test classes running in parallel, so a second draw may differ.
            using var fixedSpace = ModelSpace.Create("mnist", new MnistSkipNet(), Mnist);
            fixedSpace.Model.load_state_dict(supernet.Model.state_dict());
            var model = fixedSpace.Fix(a);
            // no Activate: the fixed model runs its own architecture.
            var y = model.call(x);
            Assert.True(Same(expected, y), a.ToString());
        }
    }

    [Fact]
    public void Fix_must_keep_only_the_first_d_blocks_of_a_repeat_and_their_chosen_candidates()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(3, 4);
        var arch = Arch(("depth", "2"), ("op0", "lin"), ("op1", "id"), ("op2", "lin"));
        using var supernet = ModelSpace.Create("repeat", new Chain(("stack", new Repeat("depth", i => new OpBlock($"op{i}"), 1, 2, 3))), 1, 4);
        var expected = supernet.Forward(x, arch);
        using var space = ModelSpace.Create("repeat", new Chain(("stack", new Repeat("depth", i => new OpBlock($"op{i}"), 1, 2, 3))), 1, 4);
        space.Model.load_state_dict(supernet.Model.state_dict()); // copied: the global generator is shared with parallel test classes

        var model = space.Fix(arch);

        Assert.Equal(["stack.blocks.0.op.choices.lin.bias", "stack.blocks.0.op.choices.lin.weight"],
            model.named_parameters().Select(p => p.name).Order(StringComparer.Ordinal));
        Assert.Equal(20, ParamCount(model));
        Assert.Equal(["stack.blocks.0", "stack.blocks.1"],
            model.named_modules().Select(m => m.name).Where(n => n.StartsWith("stack.blocks.", StringComparison.Ordinal) && n.Count(ch => ch == '.') == 2));
        Assert.True(Same(expected, model.call(x)));
    }

    [Fact]
    public void Fixed_model_must_refuse_another_architecture()
    {
        using var space = ModelSpace.Create("mnist", new MnistSkipNet(), Mnist);
        space.Fix(Seed("conv3x3", 4, skip: true));

        var e = Assert.Throws<InvalidOperationException>(() => space.Activate(Seed("conv5x5", 4, skip: true)));
        Assert.Contains("fixed", e.Message);
    }

    [Fact]
    public void Supernet_must_refuse_to_run_outside_a_model_space_naming_the_key()
    {
        var model = new Chain(("op", LinOrId("cell/op")));
        var e = Assert.Throws<InvalidOperationException>(() => model.call(torch.ones(1, 4)));
        Assert.Contains("'cell/op'", e.Message);
    }

    // ---------------------------------------------------------------- bad input

    [Fact]
    public void ModelSpace_must_refuse_a_model_without_choices()
    {
        var e = Assert.Throws<NasUserException>(() => ModelSpace.Create("plain", new PlainNet(), 1, 4));
        Assert.Contains("'plain'", e.Message);
        Assert.Contains("no choices", e.Message);
    }

    [Fact]
    public void ModelSpace_must_refuse_one_key_for_different_candidates()
    {
        var model = new Chain(("x", LinOrId("op")), ("y", new LayerChoice("op", ("lin", nn.Linear(4, 4)), ("tanh", nn.Tanh()))));
        var e = Assert.Throws<NasUserException>(() => ModelSpace.Create("clash", model, 1, 4));
        Assert.Contains("'op'", e.Message);
        Assert.Contains("'x'", e.Message);
        Assert.Contains("'y'", e.Message);
        Assert.Contains("tanh", e.Message);
    }

    [Fact]
    public void ModelSpace_must_refuse_one_key_for_a_layer_and_a_value_choice()
    {
        var w = new ValueChoice<int>("op", 1, 2);
        var model = new Chain(("x", LinOrId("op")), ("y", w.Select(_ => nn.Identity())));
        var e = Assert.Throws<NasUserException>(() => ModelSpace.Create("clash", model, 1, 4));
        Assert.Contains("'op'", e.Message);
    }

    [Fact]
    public void InputChoice_must_refuse_to_choose_more_than_it_has()
    {
        var e = Assert.Throws<NasUserException>(() => new InputChoice("skip", 1, 2));
        Assert.Contains("'skip'", e.Message);
        Assert.Throws<NasUserException>(() => new InputChoice("skip", 2, 0));
        Assert.Throws<NasUserException>(() => new InputChoice("skip", 0, null));
    }

    [Fact]
    public void ValueChoice_must_refuse_no_values_and_repeated_values()
    {
        Assert.Contains("'width'", Assert.Throws<NasUserException>(() => new ValueChoice<int>("width")).Message);
        Assert.Contains("'width'", Assert.Throws<NasUserException>(() => new ValueChoice<int>("width", 8, 8)).Message);
    }

    [Fact]
    public void Mutables_must_refuse_an_empty_key_and_bad_candidates()
    {
        Assert.Throws<NasUserException>(() => new ValueChoice<int>("", 1));
        Assert.Contains("'op'", Assert.Throws<NasUserException>(() => new LayerChoice("op")).Message);
        Assert.Contains("'op'", Assert.Throws<NasUserException>(() =>
            new LayerChoice("op", ("a", nn.Identity()), ("a", nn.Identity()))).Message);
        Assert.Contains("'depth'", Assert.Throws<NasUserException>(() => new Repeat("depth", _ => nn.Identity())).Message);
        Assert.Contains("'depth'", Assert.Throws<NasUserException>(() => new Repeat("depth", _ => nn.Identity(), 1, 1)).Message);
    }

    [Fact]
    public void ModelSpace_must_refuse_keys_with_separators()
    {
        var e = Assert.Throws<NasUserException>(() => ModelSpace.Create("bad", new Chain(("x", LinOrId("a=b"))), 1, 4));
        Assert.Contains("'a=b'", e.Message);
    }

    [Fact]
    public void CheckAndCount_must_name_the_key_and_both_shapes_when_candidates_disagree()
    {
        var model = new Chain(("c", new LayerChoice("conv", ("k3", nn.Conv2d(1, 2, 3)), ("k5", nn.Conv2d(1, 2, 5)))));
        using var space = ModelSpace.Create("shapes", model, 1, 1, 8, 8);

        var e = Assert.Throws<NasUserException>(() => space.CheckAndCount());
        Assert.Contains("'conv'", e.Message);
        Assert.Contains("[1, 2, 6, 6]", e.Message);
        Assert.Contains("[1, 2, 4, 4]", e.Message);
    }

    [Fact]
    public void CheckAndCount_must_name_the_key_when_repeat_depths_change_the_shape()
    {
        var model = new Chain(("stack", new Repeat("depth", _ => nn.Conv2d(1, 1, 3), 1, 2)));
        using var space = ModelSpace.Create("shapes", model, 1, 1, 8, 8);

        var e = Assert.Throws<NasUserException>(() => space.CheckAndCount());
        Assert.Contains("'depth'", e.Message);
    }

    [Fact]
    public void CheckAndCount_must_name_a_conv_called_with_forward()
    {
        using var space = ModelSpace.Create("fwd", new ForwardCallNet(), 1, 1, 6, 6);

        var e = Assert.Throws<NasUserException>(() => space.CheckAndCount());
        Assert.Contains("Conv2d 'conv'", e.Message);
        Assert.Contains(".call(x)", e.Message);
    }

    [Fact]
    public void Model_space_must_name_an_input_choice_whose_inputs_cannot_be_summed()
    {
        var e = Assert.Throws<NasUserException>(() =>
        {
            using var space = ModelSpace.Create("pick", new TwoInputNet(InputReduction.Sum, null, outFeatures: 3), 1, 4);
            space.CheckAndCount();
        });
        Assert.Contains("'pick'", e.Message);
        Assert.Contains("[1, 4]", e.Message);
        Assert.Contains("[1, 3]", e.Message);
    }

    [Fact]
    public void Activate_must_refuse_an_architecture_that_misses_or_adds_a_key()
    {
        using var space = ModelSpace.Create("mnist", new MnistSkipNet(), Mnist);

        var missing = Assert.Throws<SearchSpaceException>(() => space.Activate(Arch(("conv1", "conv3x3"), ("width", "4"))));
        Assert.Contains("'skip'", missing.Message);
        var extra = Assert.Throws<SearchSpaceException>(() => space.Activate(Seed("conv3x3", 4, true).With("conv9", "x")));
        Assert.Contains("'conv9'", extra.Message);
        var bad = Assert.Throws<SearchSpaceException>(() => space.Activate(Seed("conv3x3", 16, true)));
        Assert.Contains("'width'", bad.Message);
        Assert.Throws<SearchSpaceException>(() => space.Activate(Seed("conv3x3", 4, true).With("skip", "0,0")));
    }

    [Fact]
    public void NniArchitectureJson_must_parse_the_seed_space_and_refuse_missing_or_extra_keys()
    {
        using var space = ModelSpace.Create("mnist", new MnistSkipNet(), Mnist);

        Assert.Equal(Seed("conv5x5", 8, true), NniArchitectureJson.Parse("""{"conv1": "conv5x5", "width": 8, "skip": [0]}""", space.Space));
        Assert.Equal(Seed("conv5x5", 8, false), NniArchitectureJson.Parse("""{"conv1": "conv5x5", "width": 8, "skip": null}""", space.Space));
        Assert.Equal("""{"conv1":"conv3x3","width":4,"skip":[]}""", NniArchitectureJson.ToJson(Seed("conv3x3", 4, false), space.Space));
        Assert.Contains("'skip'", Assert.Throws<SearchSpaceException>(() =>
            NniArchitectureJson.Parse("""{"conv1": "conv5x5", "width": 8}""", space.Space)).Message);
        Assert.Contains("'fc9'", Assert.Throws<SearchSpaceException>(() =>
            NniArchitectureJson.Parse("""{"conv1": "conv5x5", "width": 8, "skip": [], "fc9": 1}""", space.Space)).Message);
    }
}
