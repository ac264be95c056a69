using Akka.Actor;
using Akka.Serialization;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace NasActors.Runtime.Serialization;

/// <summary>
/// Bound to <c>System.Object</c> between nodes (<see cref="Hosting.AkkaConfig.RemoteSerialization"/>) in place of
/// Akka's type-name JSON: a message type that neither Akka (its own, more specific bindings) nor
/// <see cref="NasSerializer"/> serializes is refused on the sending side, and a payload that claims this
/// serializer is refused on the receiving side, so no type name from the wire is ever instantiated.
/// </summary>
public sealed class RefusingSerializer(ExtendedActorSystem system) : Serializer(system)
{
    public const int Id = 4712;
    public override int Identifier => Id;
    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) =>
        throw new SerializationException($"{obj?.GetType().FullName ?? "null"} has no NasActors manifest; register it in NasManifests: " +
                                         "messages between nodes must not be serialized by type name");

    public override object FromBinary(byte[] bytes, Type type) =>
        throw new SerializationException($"refusing a {bytes.Length}-byte payload of serializer {Id} ({type?.FullName ?? "no type"}): " +
                                         "messages between nodes must not be deserialized by type name");
}
