using System.Collections.Immutable;
using CsCheck;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Tests.Support;

namespace NasActors.Core.Tests.SearchSpaces;

public class SearchSpaceTests
{
    private static SearchSpace Darts() => SearchSpace.Create("darts-cell",
    [
        Choice.Layer("normal/op_2_0", "sep_conv_3x3", "max_pool_3x3", "skip_connect"),
        Choice.Input("normal/input_2", 4, 2),
        Choice.Input("normal/input_3", 3),
        Choice.Value("width", "16", "32", "64"),
    ]);

    private static Architecture Arch(params (string Key, string Value)[] kvs) =>
        new(kvs.Select(kv => KeyValuePair.Create(kv.Key, kv.Value)));

    private static Architecture Valid() =>
        Arch(("normal/op_2_0", "skip_connect"), ("normal/input_2", "1,3"), ("normal/input_3", "2"), ("width", "32"));

    private static SearchSpaceException Rejects(params Choice[] choices) =>
        Assert.Throws<SearchSpaceException>(() => SearchSpace.Create("my-space", choices));

    [Fact]
    public void SearchSpace_must_reject_an_empty_space()
    {
        var e = Assert.Throws<SearchSpaceException>(() => SearchSpace.Create("my-space", []));
        Assert.Contains("'my-space'", e.Message);
        Assert.Contains("no choices", e.Message);
    }

    [Fact]
    public void SearchSpace_must_reject_duplicate_keys()
    {
        var e = Rejects(Choice.Layer("cell/op", "a", "b"), Choice.Value("other", "1"), Choice.Value("cell/op", "1", "2"));
        Assert.Contains("duplicate", e.Message);
        Assert.Contains("'cell/op'", e.Message);
    }

    [Fact]
    public void SearchSpace_must_reject_an_empty_candidate_list_naming_the_key()
    {
        var e = Rejects(Choice.Layer("ok", "a"), Choice.Layer("cell/empty"));
        Assert.Contains("'cell/empty'", e.Message);
        Assert.Contains("no candidates", e.Message);
    }

    [Fact]
    public void SearchSpace_must_reject_a_default_candidate_array_naming_the_key()
    {
        var e = Rejects(new Choice("cell/default", ChoiceKind.Layer, default));
        Assert.Contains("'cell/default'", e.Message);
    }

    [Fact]
    public void SearchSpace_must_reject_an_input_choice_with_no_inputs()
    {
        var e = Rejects(Choice.Input("cell/in", 0, 1));
        Assert.Contains("'cell/in'", e.Message);
    }

    [Fact]
    public void SearchSpace_must_reject_duplicate_candidates_naming_key_and_candidate()
    {
        var e = Rejects(Choice.Layer("cell/op", "conv", "pool", "conv"));
        Assert.Contains("'cell/op'", e.Message);
        Assert.Contains("'conv'", e.Message);
        Assert.Contains("twice", e.Message);
    }

    [Fact]
    public void SearchSpace_must_treat_candidates_case_sensitively()
    {
        var s = SearchSpace.Create("s", [Choice.Layer("op", "Conv", "conv")]);
        Assert.Equal(2, s.Size);
    }

    [Theory]
    [InlineData(ChoiceKind.Input, -2)]
    [InlineData(ChoiceKind.Input, -1)]
    [InlineData(ChoiceKind.Input, 4)]
    [InlineData(ChoiceKind.Layer, 2)]
    [InlineData(ChoiceKind.Layer, 0)]
    [InlineData(ChoiceKind.Value, 2)]
    public void SearchSpace_must_reject_a_bad_n_chosen_naming_the_key(ChoiceKind kind, int nChosen)
    {
        var e = Rejects(new Choice("cell/x", kind, ["0", "1", "2"], nChosen));
        Assert.Contains("'cell/x'", e.Message);
        Assert.Contains("n_chosen", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SearchSpace_must_accept_n_chosen_between_one_and_the_input_count(int nChosen)
    {
        var s = SearchSpace.Create("s", [Choice.Input("in", 3, nChosen)]);
        Assert.Equal(nChosen, s["in"].NChosen);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a=b")]
    [InlineData("a;b")]
    public void SearchSpace_must_reject_keys_that_break_canonical_strings(string key)
    {
        var e = Rejects(Choice.Layer(key, "x"));
        Assert.Contains("key", e.Message);
        Assert.Contains("'my-space'", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a;b")]
    [InlineData("a,b")]
    public void SearchSpace_must_reject_candidates_that_break_canonical_strings(string candidate)
    {
        var e = Rejects(Choice.Layer("cell/op", "ok", candidate));
        Assert.Contains("'cell/op'", e.Message);
    }

    [Fact]
    public void SearchSpace_must_keep_choices_in_declaration_order()
    {
        var s = Darts();
        Assert.Equal(["normal/op_2_0", "normal/input_2", "normal/input_3", "width"], s.Choices.Select(c => c.Key));
        Assert.Equal("darts-cell", s.Name);
    }

    [Fact]
    public void SearchSpace_must_look_up_choices_and_name_an_unknown_key()
    {
        var s = Darts();
        Assert.Equal(ChoiceKind.Value, s["width"].Kind);
        Assert.True(s.TryGet("normal/input_2", out var c));
        Assert.Equal(2, c.NChosen);
        Assert.False(s.TryGet("nope", out _));
        var e = Assert.Throws<SearchSpaceException>(() => s["nope"]);
        Assert.Contains("'nope'", e.Message);
    }

    [Fact]
    public void SearchSpace_must_count_architectures_with_binomial_input_choices()
    {
        // 3 ops × C(4,2)=6 × 3 inputs × 3 widths
        Assert.Equal(3 * 6 * 3 * 3, Darts().Size);
        Assert.Equal(10, Choice.Input("in", 5, 2).Cardinality);
        Assert.Equal(1, Choice.Input("in", 5, 5).Cardinality);
        Assert.Equal(4, Choice.Layer("op", "a", "b", "c", "d").Cardinality);
    }

    [Fact]
    public void SearchSpace_size_must_match_the_number_of_enumerated_architectures()
    {
        Gens.Space(1, 4).Sample(s =>
        {
            var all = Gens.AllArchitectures(s).ToList();
            Assert.Equal(s.Size, all.Count);
            Assert.Equal(all.Count, all.Select(a => a.CanonicalKey).Distinct().Count());
            Assert.All(all, a => Assert.True(s.Contains(a)));
        }, iter: 100, print: Gens.Describe);
    }

    [Fact]
    public void SearchSpace_hash_must_be_stable_and_sensitive_to_structure()
    {
        var h = Darts().Hash;
        Assert.Equal(h, Darts().Hash);
        Assert.Matches("^[0-9a-f]{16}$", h);
        var variants = new[]
        {
            SearchSpace.Create("other-name", Darts().Choices),
            SearchSpace.Create("darts-cell", Darts().Choices.Reverse()),
            SearchSpace.Create("darts-cell", Darts().Choices.SetItem(3, Choice.Value("width", "16", "32", "65"))),
            SearchSpace.Create("darts-cell", Darts().Choices.SetItem(1, Choice.Input("normal/input_2", 4, 1))),
            SearchSpace.Create("darts-cell", Darts().Choices.SetItem(3, Choice.Layer("width", "16", "32", "64"))),
        };
        Assert.All(variants, v => Assert.NotEqual(h, v.Hash));
        Assert.Equal(variants.Length, variants.Select(v => v.Hash).Distinct().Count());
    }

    [Fact]
    public void SearchSpace_must_accept_a_valid_architecture()
    {
        var s = Darts();
        s.Validate(Valid());
        Assert.True(s.Contains(Valid()));
    }

    [Fact]
    public void SearchSpace_Validate_must_reject_a_missing_key_naming_it()
    {
        var a = Arch(("normal/op_2_0", "skip_connect"), ("normal/input_2", "1,3"), ("width", "32"));
        var e = Assert.Throws<SearchSpaceException>(() => Darts().Validate(a));
        Assert.Contains("'normal/input_3'", e.Message);
        Assert.False(Darts().Contains(a));
    }

    [Fact]
    public void SearchSpace_Validate_must_reject_an_extra_key_naming_it()
    {
        var a = Valid().With("reduce/op_2_0", "skip_connect");
        var e = Assert.Throws<SearchSpaceException>(() => Darts().Validate(a));
        Assert.Contains("'reduce/op_2_0'", e.Message);
        Assert.False(Darts().Contains(a));
    }

    [Fact]
    public void SearchSpace_Validate_must_reject_an_empty_architecture()
    {
        Assert.Throws<SearchSpaceException>(() => Darts().Validate(new Architecture([])));
    }

    [Theory]
    [InlineData("normal/op_2_0", "conv_7x7")]
    [InlineData("normal/op_2_0", "Skip_connect")]
    [InlineData("normal/op_2_0", "")]
    [InlineData("width", "48")]
    [InlineData("width", "32.0")]
    [InlineData("normal/input_3", "3")]
    [InlineData("normal/input_3", "-1")]
    [InlineData("normal/input_3", "+1")]
    [InlineData("normal/input_3", " 1")]
    [InlineData("normal/input_3", "x")]
    [InlineData("normal/input_3", "0,1")]
    [InlineData("normal/input_2", "1")]
    [InlineData("normal/input_2", "3,1")]
    [InlineData("normal/input_2", "1,1")]
    [InlineData("normal/input_2", "1,2,3")]
    [InlineData("normal/input_2", "1,4")]
    [InlineData("normal/input_2", "1,")]
    [InlineData("normal/input_2", "")]
    public void SearchSpace_Validate_must_reject_a_bad_value_naming_key_and_value(string key, string value)
    {
        var a = Valid().With(key, value);
        var e = Assert.Throws<SearchSpaceException>(() => Darts().Validate(a));
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains($"'{value}'", e.Message);
        Assert.False(Darts().Contains(a));
    }

    [Fact]
    public void SearchSpace_Sample_must_always_yield_a_valid_architecture()
    {
        Gens.Space().Select(Gen.Long, (s, seed) => (s, seed)).Sample((s, seed) =>
        {
            var rng = Xoshiro256.FromSeed(seed);
            for (var i = 0; i < 20; i++)
            {
                var a = s.Sample(rng);
                s.Validate(a);
                Assert.Equal(s.Choices.Select(c => c.Key).Order(StringComparer.Ordinal), a.Choices.Keys);
            }
        }, iter: 300, print: t => Gens.Describe(t.Item1) + " seed " + t.Item2);
    }

    [Fact]
    public void SearchSpace_Sample_must_be_a_deterministic_function_of_the_rng_state()
    {
        Gens.Space().Select(Gen.Long, (s, seed) => (s, seed)).Sample((s, seed) =>
        {
            var a = Xoshiro256.FromSeed(seed);
            var b = Xoshiro256.FromSeed(seed);
            for (var i = 0; i < 5; i++) Assert.Equal(s.Sample(a), s.Sample(b));
            Assert.Equal(a.State, b.State);
        }, iter: 100);
    }

    [Fact]
    public void SearchSpace_SampleValue_must_pick_ascending_distinct_inputs_uniformly()
    {
        var c = Choice.Input("in", 5, 2);
        var rng = Xoshiro256.FromSeed(7);
        var counts = new Dictionary<string, int>();
        const int draws = 20_000;
        for (var i = 0; i < draws; i++)
        {
            var v = SearchSpace.SampleValue(c, rng);
            counts[v] = counts.GetValueOrDefault(v) + 1;
        }
        Assert.Equal(Gens.AllValues(c).Order(), counts.Keys.Order()); // all 10 subsets, each canonical
        var expected = draws / 10.0;
        var chi2 = counts.Values.Sum(o => (o - expected) * (o - expected) / expected);
        Assert.True(chi2 < 40, $"chi-square {chi2:F1} over 9 degrees of freedom: subsets are not uniform");
    }

    [Fact]
    public void SearchSpace_SampleValue_must_choose_all_inputs_when_n_chosen_equals_the_input_count()
    {
        var rng = Xoshiro256.FromSeed(1);
        Assert.Equal("0,1,2,3,4,5,6,7,8,9,10,11", SearchSpace.SampleValue(Choice.Input("in", 12, 12), rng));
    }

    [Fact]
    public void SearchSpace_SampleValue_must_cover_every_layer_and_value_candidate()
    {
        var rng = Xoshiro256.FromSeed(3);
        var c = Choice.Value("width", "8", "16", "32", "64");
        var seen = Enumerable.Range(0, 400).Select(_ => SearchSpace.SampleValue(c, rng)).ToHashSet();
        Assert.Equal(c.Candidates.Order(), seen.Order());
    }

    [Fact]
    public void Choice_must_compare_by_value_including_candidates()
    {
        Assert.Equal(Choice.Layer("op", "a", "b"), Choice.Layer("op", "a", "b"));
        Assert.Equal(Choice.Layer("op", "a", "b").GetHashCode(), Choice.Layer("op", "a", "b").GetHashCode());
        Assert.NotEqual(Choice.Layer("op", "a", "b"), Choice.Layer("op", "b", "a"));
        Assert.NotEqual(Choice.Layer("op", "a", "b"), Choice.Value("op", "a", "b"));
        Assert.NotEqual(Choice.Input("in", 3, 1), Choice.Input("in", 3, 2));
        Assert.NotEqual(Choice.Layer("op", "a"), Choice.Layer("op2", "a"));
    }

    [Fact]
    public void Choice_Input_must_label_candidates_by_index()
    {
        var c = Choice.Input("in", 4, 3);
        Assert.Equal(["0", "1", "2", "3"], c.Candidates.AsEnumerable());
        Assert.Equal(ChoiceKind.Input, c.Kind);
        Assert.Equal(3, c.NChosen);
        Assert.Equal(4, c.Cardinality);
    }
}
