using System.Text.Json;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Tests.Support;
using CsCheck;

namespace NasActors.Core.Tests.SearchSpaces;

public class NniArchitectureJsonTests
{
    private static SearchSpace Space() => SearchSpace.Create("cell",
    [
        Choice.Layer("normal/op_2_0", "sep_conv_3x3", "max_pool_3x3", "7"),
        Choice.Input("normal/input_2_0", 3),
        Choice.Input("normal/input_3", 5, 3),
        Choice.Value("width", "16", "32", "0.5", "relu", "-2", "1e-3"),
        Choice.Value("act", "relu", "swish"),
    ]);

    private static Architecture Arch(params (string Key, string Value)[] kvs) =>
        new(kvs.Select(kv => KeyValuePair.Create(kv.Key, kv.Value)));

    private static Architecture Example(string width = "32", string op = "sep_conv_3x3") => Arch(
        ("normal/op_2_0", op), ("normal/input_2_0", "1"), ("normal/input_3", "0,2,4"), ("width", width), ("act", "swish"));

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void NniArchitectureJson_must_round_trip_every_architecture_of_random_spaces()
    {
        Gens.SpaceAndArch().Sample((space, arch) =>
        {
            var json = NniArchitectureJson.ToJson(arch, space);
            var back = NniArchitectureJson.Parse(json, space);
            Assert.Equal(arch, back);
            Assert.Equal(arch.Hash, back.Hash);
            // Also through the JsonElement overload, as embedded in a larger document.
            var wrapped = JsonDocument.Parse("{\"arch\":" + json + "}").RootElement.GetProperty("arch");
            Assert.Equal(arch, NniArchitectureJson.Parse(wrapped, space));
        }, iter: 400, print: t => Gens.Describe(t.Item1) + " arch " + t.Item2);
    }

    [Fact]
    public void NniArchitectureJson_must_write_the_nni_dict_shape()
    {
        var json = NniArchitectureJson.ToJson(Example(), Space());
        Assert.Equal("""{"normal/op_2_0":"sep_conv_3x3","normal/input_2_0":1,"normal/input_3":[0,2,4],"width":32,"act":"swish"}""", json);
    }

    [Fact]
    public void NniArchitectureJson_must_write_keys_in_space_order_not_sorted_order()
    {
        var keys = Json(NniArchitectureJson.ToJson(Example(), Space())).EnumerateObject().Select(p => p.Name);
        Assert.Equal(Space().Choices.Select(c => c.Key), keys);
    }

    [Fact]
    public void NniArchitectureJson_must_export_a_layer_choice_as_a_string_even_when_it_looks_numeric()
    {
        var doc = Json(NniArchitectureJson.ToJson(Example(op: "7"), Space()));
        Assert.Equal(JsonValueKind.String, doc.GetProperty("normal/op_2_0").ValueKind);
        Assert.Equal("7", doc.GetProperty("normal/op_2_0").GetString());
    }

    [Fact]
    public void NniArchitectureJson_must_export_a_single_input_as_an_int_and_several_as_an_array()
    {
        var doc = Json(NniArchitectureJson.ToJson(Example(), Space()));
        Assert.Equal(JsonValueKind.Number, doc.GetProperty("normal/input_2_0").ValueKind);
        Assert.Equal(1, doc.GetProperty("normal/input_2_0").GetInt32());
        var arr = doc.GetProperty("normal/input_3");
        Assert.Equal(JsonValueKind.Array, arr.ValueKind);
        Assert.Equal([0, 2, 4], arr.EnumerateArray().Select(e => e.GetInt32()));
    }

    [Theory]
    [InlineData("32", JsonValueKind.Number)]
    [InlineData("-2", JsonValueKind.Number)]
    [InlineData("0.5", JsonValueKind.Number)]
    [InlineData("1e-3", JsonValueKind.Number)]
    [InlineData("relu", JsonValueKind.String)]
    public void NniArchitectureJson_must_export_a_numeric_value_choice_as_a_number(string width, JsonValueKind kind)
    {
        var v = Json(NniArchitectureJson.ToJson(Example(width), Space())).GetProperty("width");
        Assert.Equal(kind, v.ValueKind);
        Assert.Equal(width, kind == JsonValueKind.String ? v.GetString() : v.GetRawText());
    }

    [Fact]
    public void NniArchitectureJson_must_parse_an_nni_dict_with_inputs_in_any_order()
    {
        var a = NniArchitectureJson.Parse(
            """{"act":"swish","width":32,"normal/input_3":[4,0,2],"normal/input_2_0":1,"normal/op_2_0":"sep_conv_3x3"}""", Space());
        Assert.Equal(Example(), a);
        Assert.Equal("0,2,4", a["normal/input_3"]);
    }

    [Fact]
    public void NniArchitectureJson_must_accept_a_value_choice_given_as_a_string()
    {
        var a = NniArchitectureJson.Parse(
            """{"normal/op_2_0":"sep_conv_3x3","normal/input_2_0":1,"normal/input_3":[0,2,4],"width":"32","act":"swish"}""", Space());
        Assert.Equal(Example(), a);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"normal/op_2_0\": }")]
    [InlineData("{'normal/op_2_0': 'x'}")]
    [InlineData("{\"normal/op_2_0\":\"sep_conv_3x3\"} trailing")]
    [InlineData("not json")]
    public void NniArchitectureJson_must_reject_malformed_json_with_a_search_space_exception(string json)
    {
        var e = Assert.Throws<SearchSpaceException>(() => NniArchitectureJson.Parse(json, Space()));
        Assert.Contains("malformed", e.Message);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"act\":\"relu\"}]")]
    [InlineData("42")]
    [InlineData("\"sep_conv_3x3\"")]
    [InlineData("null")]
    public void NniArchitectureJson_must_reject_a_document_that_is_not_an_object(string json)
    {
        var e = Assert.Throws<SearchSpaceException>(() => NniArchitectureJson.Parse(json, Space()));
        Assert.Contains("JSON object", e.Message);
    }

    [Fact]
    public void NniArchitectureJson_must_reject_an_unknown_key_naming_it_and_the_space()
    {
        var e = Assert.Throws<SearchSpaceException>(() => NniArchitectureJson.Parse(
            """{"normal/op_2_0":"sep_conv_3x3","normal/input_2_0":1,"normal/input_3":[0,2,4],"width":32,"act":"swish","reduce/op_9":"x"}""", Space()));
        Assert.Contains("'reduce/op_9'", e.Message);
        Assert.Contains("'cell'", e.Message);
    }

    [Fact]
    public void NniArchitectureJson_must_reject_a_missing_key_naming_it()
    {
        var e = Assert.Throws<SearchSpaceException>(() => NniArchitectureJson.Parse(
            """{"normal/op_2_0":"sep_conv_3x3","normal/input_2_0":1,"width":32,"act":"swish"}""", Space()));
        Assert.Contains("'normal/input_3'", e.Message);
    }

    [Theory]
    [InlineData("normal/op_2_0", "7")]
    [InlineData("normal/op_2_0", "true")]
    [InlineData("normal/op_2_0", "null")]
    [InlineData("normal/op_2_0", "[\"sep_conv_3x3\"]")]
    [InlineData("normal/op_2_0", "{}")]
    [InlineData("normal/input_2_0", "true")]
    [InlineData("normal/input_2_0", "null")]
    [InlineData("normal/input_2_0", "{}")]
    [InlineData("width", "true")]
    [InlineData("width", "[32]")]
    [InlineData("width", "null")]
    [InlineData("act", "false")]
    public void NniArchitectureJson_must_reject_a_value_of_the_wrong_json_type_naming_the_key(string key, string value)
    {
        var fields = new Dictionary<string, string>
        {
            ["normal/op_2_0"] = "\"sep_conv_3x3\"", ["normal/input_2_0"] = "1", ["normal/input_3"] = "[0,2,4]", ["width"] = "32", ["act"] = "\"swish\"",
        };
        fields[key] = value;
        var json = "{" + string.Join(",", fields.Select(kv => $"\"{kv.Key}\":{kv.Value}")) + "}";
        var e = Assert.Throws<SearchSpaceException>(() => NniArchitectureJson.Parse(json, Space()));
        Assert.Contains($"'{key}'", e.Message);
    }

    [Theory]
    [InlineData("normal/op_2_0", "\"conv_9x9\"")]
    [InlineData("normal/input_2_0", "3")]
    [InlineData("normal/input_2_0", "-1")]
    [InlineData("normal/input_2_0", "[0,1]")]
    [InlineData("normal/input_3", "[0,2]")]
    [InlineData("normal/input_3", "[0,2,2]")]
    [InlineData("normal/input_3", "[0,2,5]")]
    [InlineData("normal/input_3", "2")]
    [InlineData("width", "48")]
    [InlineData("width", "32.0")]
    [InlineData("width", "\"gelu\"")]
    public void NniArchitectureJson_must_reject_a_value_that_is_not_a_candidate_naming_the_key(string key, string value)
    {
        var fields = new Dictionary<string, string>
        {
            ["normal/op_2_0"] = "\"sep_conv_3x3\"", ["normal/input_2_0"] = "1", ["normal/input_3"] = "[0,2,4]", ["width"] = "32", ["act"] = "\"swish\"",
        };
        fields[key] = value;
        var json = "{" + string.Join(",", fields.Select(kv => $"\"{kv.Key}\":{kv.Value}")) + "}";
        var e = Assert.Throws<SearchSpaceException>(() => NniArchitectureJson.Parse(json, Space()));
        Assert.Contains($"'{key}'", e.Message);
    }

    [Fact]
    public void NniArchitectureJson_must_write_through_a_caller_supplied_writer()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
            NniArchitectureJson.Write(w, Example(), Space());
        var text = System.Text.Encoding.UTF8.GetString(ms.ToArray());
        Assert.Contains("\n", text);
        Assert.Equal(Example(), NniArchitectureJson.Parse(text, Space()));
    }

    [Fact]
    public void NniArchitectureJson_must_read_a_dict_a_list_and_an_export_file_the_same_way()
    {
        var one = NniArchitectureJson.ToJson(Example(), Space());
        var two = NniArchitectureJson.ToJson(Example(op: "max_pool_3x3"), Space());
        var export = $"{{\"experiment\": \"e\", \"top\": [{{\"rank\": 1, \"architecture\": {one}}}, {{\"rank\": 2, \"architecture\": {two}}}]}}";
        Assert.Equal([Example()], NniArchitectureJson.ReadDicts(one, "a.json").Select(d => NniArchitectureJson.Parse(d, Space())));
        Assert.Equal([Example(), Example(op: "max_pool_3x3")], NniArchitectureJson.ReadDicts($"[{one}, {two}]", "a.json").Select(d => NniArchitectureJson.Parse(d, Space())));
        Assert.Equal([Example(), Example(op: "max_pool_3x3")], NniArchitectureJson.ReadDicts(export, "a.json").Select(d => NniArchitectureJson.Parse(d, Space())));
        // One architecture: an export file gives its best, a list of one its element; a list of several is refused.
        Assert.Equal(Example(), NniArchitectureJson.Parse(NniArchitectureJson.ReadDict(export, "a.json"), Space()));
        Assert.Equal(Example(), NniArchitectureJson.Parse(NniArchitectureJson.ReadDict($"[{one}]", "a.json"), Space()));
        Assert.Contains("a.json holds a list of 2 architectures", Assert.Throws<NasUserException>(() => NniArchitectureJson.ReadDict($"[{one}, {two}]", "a.json")).Message);
    }

    [Theory]
    [InlineData("{\"normal/op_2_0\": ", "a.json is not JSON")]
    [InlineData("[]", "a.json holds no architecture")]
    [InlineData("{}", "a.json holds no architecture")]
    [InlineData("42", "a.json holds no architecture")]
    [InlineData("[{\"width\": 32}, 7]", "a.json holds no architecture in one of its entries")]
    [InlineData("{\"top\": []}", "a.json holds no architecture")]
    public void NniArchitectureJson_must_refuse_a_file_without_architectures_naming_it(string json, string message)
    {
        var e = Assert.Throws<NasUserException>(() => NniArchitectureJson.ReadDicts(json, "a.json"));
        Assert.StartsWith(message, e.Message);
    }
}
