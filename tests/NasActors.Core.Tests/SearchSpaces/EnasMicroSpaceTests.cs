using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Tests.SearchSpaces;

public class EnasMicroSpaceTests
{
    private static EnasMicroSpec Spec(int nodes = 3, int stages = 3, string[]? ops = null) =>
        new(16, nodes, 1, stages, [.. ops ?? [.. EnasMicroSpec.PaperOps]]);

    [Fact]
    public void EnasMicroSpace_must_have_two_inputs_and_two_ops_per_node_of_both_cells_with_NNI_keys()
    {
        var s = EnasMicroSpace.Create(Spec(nodes: 2));
        Assert.Equal("enas-micro", s.Name);
        Assert.Equal([
            "normal/input_2_0", "normal/input_2_1", "normal/op_2_0", "normal/op_2_1",
            "normal/input_3_0", "normal/input_3_1", "normal/op_3_0", "normal/op_3_1",
            "reduce/input_2_0", "reduce/input_2_1", "reduce/op_2_0", "reduce/op_2_1",
            "reduce/input_3_0", "reduce/input_3_1", "reduce/op_3_0", "reduce/op_3_1"], s.Choices.Select(c => c.Key));
        Assert.Equal(ChoiceKind.Input, s["normal/input_3_1"].Kind);
        Assert.Equal(["0", "1", "2"], s["normal/input_3_1"].Candidates.AsEnumerable()); // cell inputs 0, 1 and node 2
        Assert.Equal(["0", "1"], s["reduce/input_2_0"].Candidates.AsEnumerable());
        Assert.Equal(EnasMicroSpec.PaperOps.AsEnumerable(), s["reduce/op_3_0"].Candidates.AsEnumerable());
        Assert.Equal(Math.Pow(2 * 2 * 5 * 5 * 3 * 3 * 5 * 5, 2), s.Size);
    }

    [Fact]
    public void EnasMicroSpace_must_search_only_the_normal_cell_without_reductions()
    {
        var s = EnasMicroSpace.Create(Spec(stages: 1));
        Assert.All(s.Choices, c => Assert.StartsWith("normal/", c.Key));
        Assert.Equal(3 * 4, s.Choices.Length);
    }

    [Fact]
    public void EnasMicroSpace_architectures_must_round_trip_through_NNI_json_with_integer_inputs()
    {
        var s = EnasMicroSpace.Create(Spec());
        var a = s.Sample(Xoshiro256.FromSeed(3));
        var json = NniArchitectureJson.ToJson(a, s);
        Assert.Contains($"\"normal/input_2_0\":{a["normal/input_2_0"]}", json.Replace(" ", ""));
        Assert.Contains($"\"normal/op_2_0\":\"{a["normal/op_2_0"]}\"", json.Replace(" ", ""));
        Assert.Equal(a, NniArchitectureJson.Parse(json, s));
    }

    [Theory]
    [InlineData(0, 3, "nas.spaces.enas-micro.nodes = 0")]
    [InlineData(13, 3, "nas.spaces.enas-micro.nodes = 13")]
    [InlineData(3, 0, "nas.spaces.enas-micro.stages = 0")]
    [InlineData(3, 5, "nas.spaces.enas-micro.stages = 5")]
    public void EnasMicroSpec_must_reject_bad_shapes_naming_the_key(int nodes, int stages, string expected)
    {
        var e = Assert.Throws<NasUserException>(() => EnasMicroSpace.Create(Spec(nodes, stages)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void EnasMicroSpec_must_reject_unknown_and_repeated_ops()
    {
        Assert.Contains("unknown op 'conv_7x7'", Assert.Throws<NasUserException>(() => EnasMicroSpace.Create(Spec(ops: ["conv_7x7"]))).Message);
        Assert.Contains("twice", Assert.Throws<NasUserException>(() => EnasMicroSpace.Create(Spec(ops: ["identity", "identity"]))).Message);
        Assert.Contains("empty", Assert.Throws<NasUserException>(() => EnasMicroSpace.Create(Spec(ops: []))).Message);
    }
}
