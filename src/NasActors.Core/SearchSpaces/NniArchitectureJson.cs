using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace NasActors.Core.SearchSpaces;

/// <summary>
/// NNI's architecture dict: <c>{"normal/op_2_0": "sep_conv_3x3", "normal/input_2_0": 1, "width": 32}</c>.
/// Layer choices export the candidate name, input choices an index (or a list when several are chosen),
/// value choices the value, as a number when it is one.
/// </summary>
public static partial class NniArchitectureJson
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial System.Text.RegularExpressions.Regex CanonicalNumber();

    public static void Write(Utf8JsonWriter w, Architecture arch, SearchSpace space)
    {
        w.WriteStartObject();
        foreach (var c in space.Choices)
        {
            var v = arch[c.Key];
            w.WritePropertyName(c.Key);
            switch (c.Kind)
            {
                case ChoiceKind.Input when c.NChosen == 1:
                    w.WriteNumberValue(int.Parse(v, CultureInfo.InvariantCulture));
                    break;
                case ChoiceKind.Input:
                    w.WriteStartArray();
                    foreach (var p in v.Split(',', StringSplitOptions.RemoveEmptyEntries)) w.WriteNumberValue(int.Parse(p, CultureInfo.InvariantCulture));
                    w.WriteEndArray();
                    break;
                case ChoiceKind.Value when CanonicalNumber().IsMatch(v):
                    // Only text that is already a JSON number is written as one, so Parse gives back the same string.
                    w.WriteRawValue(v);
                    break;
                default:
                    w.WriteStringValue(v);
                    break;
            }
        }
        w.WriteEndObject();
    }

    public static string ToJson(Architecture arch, SearchSpace space)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) Write(w, arch, space);
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Parses an NNI dict and validates it against <paramref name="space"/>.</summary>
    public static Architecture Parse(JsonElement obj, SearchSpace space)
    {
        if (obj.ValueKind != JsonValueKind.Object)
            throw new SearchSpaceException("an NNI architecture must be a JSON object of choice key → value");
        var pairs = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            if (!space.TryGet(p.Name, out var c))
                throw new SearchSpaceException($"architecture sets '{p.Name}', which search space '{space.Name}' does not have");
            if (!seen.Add(p.Name))
                throw new SearchSpaceException($"architecture sets '{p.Name}' twice");
            string v = (c.Kind, p.Value.ValueKind) switch
            {
                (ChoiceKind.Input, JsonValueKind.Number) => InputIndex(p.Name, p.Value).ToString(CultureInfo.InvariantCulture),
                (ChoiceKind.Input, JsonValueKind.Array) => string.Join(",", InputIndices(p.Name, p.Value, c.Candidates.Length).Order()
                    .Select(i => i.ToString(CultureInfo.InvariantCulture))),
                (ChoiceKind.Input, JsonValueKind.Null) when c.NChosen == Choice.AnyNumber => "", // NNI's None: no input chosen
                (_, JsonValueKind.String) => p.Value.GetString()!,
                (ChoiceKind.Value, JsonValueKind.Number) => p.Value.GetRawText(),
                _ => throw new SearchSpaceException($"architecture value for '{p.Name}' has JSON type {p.Value.ValueKind}, which does not fit a {c.Kind} choice"),
            };
            pairs.Add(KeyValuePair.Create(p.Name, v));
        }
        var arch = new Architecture(pairs);
        space.Validate(arch);
        return arch;
    }

    /// <summary>A list of indices, or NNI 1.x's mask of booleans (one per candidate).</summary>
    private static IEnumerable<int> InputIndices(string key, JsonElement array, int nCandidates)
    {
        var items = array.EnumerateArray().ToList();
        if (items.Count > 0 && items.All(e => e.ValueKind is JsonValueKind.True or JsonValueKind.False))
        {
            // A mask of another length belongs to another space: reading the missing entries as false would hide that.
            if (items.Count != nCandidates)
                throw new SearchSpaceException($"architecture value for input choice '{key}' is a mask of {items.Count} booleans; it has {nCandidates} inputs, so the mask needs one per input");
            return items.Select((e, i) => (e, i)).Where(t => t.e.ValueKind == JsonValueKind.True).Select(t => t.i);
        }
        return items.Select(e => InputIndex(key, e));
    }

    private static int InputIndex(string key, JsonElement e) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var i) ? i
        : throw new SearchSpaceException($"architecture value for input choice '{key}' must be an input index or a list of them, not {e.GetRawText()}");

    public static Architecture Parse(string json, SearchSpace space)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Parse(doc.RootElement, space);
        }
        catch (JsonException e)
        {
            throw new SearchSpaceException($"architecture JSON is malformed ({e.Message}); expected an NNI dict like {{\"key\": \"op\"}}");
        }
    }

    /// <summary>
    /// The architecture dicts of an architecture file, best first: one NNI dict, a JSON list of them (as
    /// `nas random-sample` writes), or a `nas export` file (its top list). Every reader of such files goes through here,
    /// so they accept the same shapes.
    /// </summary>
    /// <param name="source">The file, as messages name it.</param>
    public static ImmutableArray<JsonElement> ReadDicts(string json, string source) => Read(json, source).Dicts;

    /// <summary>The one architecture dict of a file (<see cref="ReadDicts"/>): an export file gives its best; a list of several is refused.</summary>
    public static JsonElement ReadDict(string json, string source)
    {
        var (dicts, export) = Read(json, source);
        if (dicts.Length > 1 && !export)
            throw new NasUserException($"{source} holds a list of {dicts.Length} architectures; this takes one: an NNI dict of choice key → value, a list of one, or a `nas export` file");
        return dicts[0];
    }

    /// <summary>The dicts (clones, valid after the document is gone) and whether the file is a `nas export` file.</summary>
    private static (ImmutableArray<JsonElement> Dicts, bool Export) Read(string json, string source)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e)
        {
            throw new NasUserException($"{source} is not JSON ({e.Message}); pass an NNI architecture dict like {{\"normal/op_2_0\": \"sep_conv_3x3\", \"normal/input_2_0\": 1, ...}}, a JSON list of them or a `nas export` file");
        }
        using (doc)
        {
            var root = doc.RootElement;
            var top = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("top", out var t) && t.ValueKind == JsonValueKind.Array ? t : (JsonElement?)null;
            IEnumerable<JsonElement> dicts = root.ValueKind switch
            {
                JsonValueKind.Array => root.EnumerateArray(),
                _ when top is { } entries => entries.EnumerateArray().Select(e => e.TryGetProperty("architecture", out var arch) ? arch : e),
                JsonValueKind.Object => [root],
                _ => [],
            };
            var list = dicts.Select(d => d.Clone()).ToImmutableArray();
            if (list.IsEmpty || list.Any(d => d.ValueKind != JsonValueKind.Object || !d.EnumerateObject().Any()))
                throw new NasUserException($"{source} holds no architecture{(list.IsEmpty ? "" : " in one of its entries")}: pass an NNI dict of choice key → value, a JSON list of them or a `nas export` file");
            return (list, top is not null);
        }
    }
}
