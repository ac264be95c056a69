using System.Text.Json;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Tests.SearchSpaces;

/// <summary>Input choices with NNI's <c>n_chosen=None</c>: any subset of the inputs, none included ("").</summary>
public class AnySubsetInputChoiceTests
{
    private static Choice Any3() => Choice.Input("cell/inputs", 3, Choice.AnyNumber);

    private static SearchSpace Space() => SearchSpace.Create("skip",
    [
        Choice.Layer("conv1", "conv3x3", "conv5x5"),
        Choice.Input("skip", 1, Choice.AnyNumber),
        Choice.Input("cell/inputs", 3, Choice.AnyNumber),
    ]);

    private static Architecture Arch(string skip, string inputs, string conv1 = "conv3x3") =>
        new([KeyValuePair.Create("conv1", conv1), KeyValuePair.Create("skip", skip), KeyValuePair.Create("cell/inputs", inputs)]);

    [Fact]
    public void Any_subset_choice_must_have_two_to_the_n_values()
    {
        Assert.Equal(2, Choice.Input("skip", 1, Choice.AnyNumber).Cardinality);
        Assert.Equal(8, Any3().Cardinality);
        Assert.Equal(65536, Choice.Input("wide", 16, Choice.AnyNumber).Cardinality);
        Assert.Equal(2 * 2 * 8, Space().Size);
    }

    [Fact]
    public void Any_subset_values_must_be_ascending_index_lists_in_mask_order_starting_with_none()
    {
        Assert.Equal(["", "0"], Choice.Input("skip", 1, Choice.AnyNumber).Values());
        Assert.Equal(["", "0", "1", "0,1", "2", "0,2", "1,2", "0,1,2"], Any3().Values());
    }

    [Fact]
    public void Any_subset_sampling_must_reach_every_subset_and_only_valid_ones()
    {
        var c = Any3();
        var space = SearchSpace.Create("s", [c]);
        var rng = Xoshiro256.FromSeed(2024);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < 4000; i++)
        {
            var v = SearchSpace.SampleValue(c, rng);
            counts[v] = counts.GetValueOrDefault(v) + 1;
        }

        Assert.Equal(c.Values().Order(StringComparer.Ordinal), counts.Keys.Order(StringComparer.Ordinal));
        // 4000 / 8 = 500 each; a fair sampler stays well inside ±25% (about 5.6 standard deviations).
        Assert.All(counts, kv => Assert.InRange(kv.Value, 375, 625));
        Assert.All(counts.Keys, v => Assert.True(space.Contains(new([KeyValuePair.Create("cell/inputs", v)])), v));
    }

    [Fact]
    public void Any_subset_space_must_enumerate_every_architecture_once()
    {
        var space = Space();
        var all = space.Enumerate().ToList();

        Assert.Equal(32, all.Count);
        Assert.Equal(32, all.Distinct().Count());
        Assert.All(all, a => space.Validate(a));
        Assert.Contains(Arch("", ""), all);
        Assert.Contains(Arch("0", "0,1,2", "conv5x5"), all);
        Assert.Equal(Arch("", ""), all[0]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("2")]
    [InlineData("0,1")]
    [InlineData("0,2")]
    [InlineData("0,1,2")]
    public void Any_subset_validate_must_accept_canonical_subsets(string v)
    {
        Space().Validate(Arch("", v));
    }

    [Theory]
    [InlineData("1,0")]
    [InlineData("01")]
    [InlineData("0,0")]
    [InlineData("3")]
    [InlineData("-1")]
    [InlineData(",")]
    [InlineData("0,")]
    [InlineData(" 0")]
    [InlineData("0,1,2,3")]
    public void Any_subset_validate_must_reject_non_canonical_or_out_of_range_subsets(string v)
    {
        var e = Assert.Throws<SearchSpaceException>(() => Space().Validate(Arch("", v)));
        Assert.Contains("'cell/inputs'", e.Message);
    }

    [Fact]
    public void Fixed_count_input_choice_must_still_reject_none()
    {
        var space = SearchSpace.Create("s", [Choice.Input("in", 2, 1)]);
        Assert.Throws<SearchSpaceException>(() => space.Validate(new([KeyValuePair.Create("in", "")])));
        Assert.Equal(2, space.Size);
    }

    [Fact]
    public void Search_space_must_accept_any_number_but_reject_negative_counts_and_huge_subsets()
    {
        SearchSpace.Create("s", [Choice.Input("in", 16, Choice.AnyNumber)]);
        Assert.Contains("'in'", Assert.Throws<SearchSpaceException>(() => SearchSpace.Create("s", [Choice.Input("in", 2, -1)])).Message);
        Assert.Contains("'in'", Assert.Throws<SearchSpaceException>(() => SearchSpace.Create("s", [Choice.Input("in", 17, Choice.AnyNumber)])).Message);
    }

    [Fact]
    public void Nni_json_must_write_any_subset_choices_as_lists()
    {
        var space = Space();

        Assert.Equal("""{"conv1":"conv3x3","skip":[],"cell/inputs":[]}""", NniArchitectureJson.ToJson(Arch("", ""), space));
        Assert.Equal("""{"conv1":"conv3x3","skip":[0],"cell/inputs":[0,2]}""", NniArchitectureJson.ToJson(Arch("0", "0,2"), space));
    }

    [Fact]
    public void Nni_json_must_round_trip_every_any_subset_architecture()
    {
        var space = Space();
        foreach (var a in space.Enumerate())
            Assert.Equal(a, NniArchitectureJson.Parse(NniArchitectureJson.ToJson(a, space), space));
    }

    [Theory]
    [InlineData("[]", "")]
    [InlineData("null", "")]
    [InlineData("[0]", "0")]
    [InlineData("0", "0")]
    [InlineData("[true]", "0")]
    [InlineData("[false]", "")]
    public void Nni_json_must_parse_the_forms_nni_writes_for_a_one_input_skip(string json, string expected)
    {
        var a = NniArchitectureJson.Parse($$"""{"conv1": "conv3x3", "skip": {{json}}, "cell/inputs": []}""", Space());
        Assert.Equal(expected, a["skip"]);
    }

    [Theory]
    [InlineData("[2, 0]", "0,2")]
    [InlineData("[true, false, true]", "0,2")]
    [InlineData("[false, false, false]", "")]
    [InlineData("[1]", "1")]
    public void Nni_json_must_parse_index_lists_and_bool_masks_in_canonical_order(string json, string expected)
    {
        var a = NniArchitectureJson.Parse($$"""{"conv1": "conv3x3", "skip": null, "cell/inputs": {{json}}}""", Space());
        Assert.Equal(expected, a["cell/inputs"]);
    }

    [Theory]
    [InlineData("[0, 0]")]
    [InlineData("[3]")]
    [InlineData("[true, true]")]
    [InlineData("\"x\"")]
    public void Nni_json_must_reject_bad_subsets_naming_the_key(string json)
    {
        var e = Assert.Throws<SearchSpaceException>(() =>
            NniArchitectureJson.Parse($$"""{"conv1": "conv3x3", "skip": null, "cell/inputs": {{json}}}""", Space()));
        Assert.Contains("cell/inputs", e.Message);
    }

    [Fact]
    public void Nni_json_must_refuse_null_for_a_fixed_count_input_choice()
    {
        var space = SearchSpace.Create("s", [Choice.Input("in", 2, 1)]);
        var e = Assert.Throws<SearchSpaceException>(() => NniArchitectureJson.Parse("""{"in": null}""", space));
        Assert.Contains("'in'", e.Message);
    }

    [Fact]
    public void Nni_json_must_refuse_missing_and_extra_keys()
    {
        Assert.Contains("'skip'", Assert.Throws<SearchSpaceException>(() =>
            NniArchitectureJson.Parse("""{"conv1": "conv3x3", "cell/inputs": []}""", Space())).Message);
        Assert.Contains("'extra'", Assert.Throws<SearchSpaceException>(() =>
            NniArchitectureJson.Parse("""{"conv1": "conv3x3", "skip": [], "cell/inputs": [], "extra": 1}""", Space())).Message);
    }

    [Fact]
    public void Space_hash_must_distinguish_any_number_from_a_fixed_count()
    {
        var any = SearchSpace.Create("s", [Choice.Input("in", 2, Choice.AnyNumber)]);
        var one = SearchSpace.Create("s", [Choice.Input("in", 2, 1)]);
        Assert.NotEqual(any.Hash, one.Hash);
        Assert.NotEqual(any.Choices[0], one.Choices[0]);
    }
}
