using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
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

/// <summary>
/// An actor ref as its serialized path ("akka.tcp://nas@10.0.0.2:4053/user/trainer-0#123456"), resolved on read by the
/// receiving system's provider: a local ref if the address is ours, a remote ref otherwise. While Akka remoting
/// serializes, <see cref="Akka.Serialization.Serialization.SerializedActorPath"/> writes the address the other node
/// knows us by. Null stays JSON null (the default for a null reference); Nobody is written as its own path and read
/// back as Nobody, not resolved to a dead-letters ref.
/// </summary>
internal sealed class ActorRefConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
{
    private static readonly string NobodyPath = ActorRefs.Nobody.Path.ToString();

    public override IActorRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var path = reader.GetString();
        if (string.IsNullOrEmpty(path)) throw new JsonException("an actor ref must be a non-empty path");
        return path == NobodyPath ? ActorRefs.Nobody : system.Provider.ResolveActorRef(path);
    }

    public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value is Nobody ? NobodyPath : Akka.Serialization.Serialization.SerializedActorPath(value));
}

/// <summary>Stands in for <see cref="ActorRefConverter"/> where no ActorSystem is at hand: an actor ref needs one to resolve.</summary>
internal sealed class NoActorRefConverter : JsonConverter<IActorRef>
{
    public override IActorRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw Refused();
    public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) => throw Refused();
    private static NotSupportedException Refused() => new("an actor ref can only be (de)serialized by NasSerializer, which is bound to an ActorSystem");
}

internal static class NasJson
{
    /// <summary>Options for code without an ActorSystem: everything but actor refs (see <see cref="WithActorRefs"/>).</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new ArchitectureConverter(), new RolloutIdConverter(), new JsonStringEnumConverter(), new NoActorRefConverter() },
        // Fields added in a later version must not break replay of older events.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>A copy of <see cref="Options"/> that writes and resolves actor refs through <paramref name="system"/>.</summary>
    public static JsonSerializerOptions WithActorRefs(ExtendedActorSystem system)
    {
        var options = new JsonSerializerOptions(Options);
        options.Converters.Insert(0, new ActorRefConverter(system)); // the first converter that can convert a type wins
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
