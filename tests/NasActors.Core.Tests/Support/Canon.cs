using System.Text.Json;
using System.Text.Json.Serialization;
using NasActors.Core.Experiments;

namespace NasActors.Core.Tests.Support;

/// <summary>
/// Canonical text of a record (its type name and its JSON), for comparing events and statuses by content: records
/// holding an ImmutableArray compare the array by reference, so two equal journals are not Equal as objects.
/// </summary>
public static class Canon
{
    private static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new RolloutIdConverter() },
    };

    public static string Of(object? o) => o is null ? "null" : o.GetType().Name + JsonSerializer.Serialize(o, o.GetType(), Options);

    public static List<string> All<T>(IEnumerable<T> items) => [.. items.Select(i => Of(i))];

    private sealed class RolloutIdConverter : JsonConverter<RolloutId>
    {
        public override RolloutId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetInt32());
        public override void Write(Utf8JsonWriter writer, RolloutId value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
        public override RolloutId ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(int.Parse(reader.GetString()![1..], System.Globalization.CultureInfo.InvariantCulture));
        public override void WriteAsPropertyName(Utf8JsonWriter writer, RolloutId value, JsonSerializerOptions options) =>
            writer.WritePropertyName(value.ToString());
    }
}
