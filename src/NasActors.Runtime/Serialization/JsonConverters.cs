using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;

namespace NasActors.Runtime.Serialization;

/// <summary>Architecture as a plain {key: value} object (its canonical choices), independent of any search space.</summary>
internal sealed class ArchitectureConverter : JsonConverter<Architecture>
{
    public override Architecture Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var dict = JsonSerializer.Deserialize<Dictionary<string, string>>(ref reader, options)
                   ?? throw new JsonException("architecture is null");
        return new Architecture(dict);
    }

    public override void Write(Utf8JsonWriter writer, Architecture value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (k, v) in value.Choices) writer.WriteString(k, v);
        writer.WriteEndObject();
    }
}

/// <summary>RolloutId as its number.</summary>
internal sealed class RolloutIdConverter : JsonConverter<RolloutId>
{
    public override RolloutId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetInt32());
    public override void Write(Utf8JsonWriter writer, RolloutId value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
}

internal static class NasJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new ArchitectureConverter(), new RolloutIdConverter(), new JsonStringEnumConverter() },
        // Fields added in a later version must not break replay of older events.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
