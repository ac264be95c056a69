using System.Collections.Frozen;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace NasActors.Runtime.Serialization;

/// <summary>
/// Serializer for journal events, snapshots and messages: UTF-8 JSON payloads under stable, versioned manifests
/// ("nas.population.score-recorded.v1"), never CLR type names, so a renamed class does not break replay.
/// An unknown manifest or type is an error, not a guess.
/// </summary>
public sealed class NasSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 4711;
    public override int Identifier => Id;

    private static readonly FrozenDictionary<Type, string> Manifests = NasManifests.All.ToFrozenDictionary(kv => kv.Value, kv => kv.Key);
    private static readonly FrozenDictionary<string, Type> Types = NasManifests.All.ToFrozenDictionary();

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var m) ? m
        : throw new SerializationException($"{o.GetType().FullName} has no NasActors manifest; register it in NasManifests");

    public override byte[] ToBinary(object obj)
    {
        Manifest(obj); // refuse unregistered types before writing anything
        return JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), NasJson.Options);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type))
            throw new SerializationException($"unknown NasActors manifest '{manifest}': the journal was written by a newer or different version");
        return JsonSerializer.Deserialize(bytes, type, NasJson.Options)
               ?? throw new SerializationException($"empty payload for manifest '{manifest}'");
    }
}
