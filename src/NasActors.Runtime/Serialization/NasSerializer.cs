using System.Collections.Frozen;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace NasActors.Runtime.Serialization;

/// <summary>
/// Serializer for journal events and messages: UTF-8 JSON payloads under stable, versioned manifests
/// ("nas.event.score-recorded.v2"), never CLR type names, so a renamed class does not break replay.
/// An unknown manifest or type is an error, not a guess. Actor refs are written as their serialized path and
/// resolved by this serializer's ActorSystem (see <see cref="ActorRefConverter"/>).
/// Journal events (<see cref="NasManifests.Persisted"/>) carry a checksum line before their JSON, verified here on
/// replay (<see cref="JournalChecksum"/>); messages are plain JSON.
/// <para>
/// Where Akka remoting is configured (<c>akka.remote.dot-netty.tcp.maximum-frame-size</c> is in the system's config),
/// a message (<see cref="NasManifests.Messages"/>) whose payload would not fit a frame, less <see cref="FrameMargin"/>
/// bytes for the envelope (recipient, sender, manifest), is refused with a <see cref="SerializationException"/>:
/// remoting would otherwise drop the frame. Journal events and snapshots never cross nodes and have no limit.
/// </para>
/// </summary>
public sealed class NasSerializer : SerializerWithStringManifest
{
    public const int Id = 4711;
    public override int Identifier => Id;

    public const string FrameSizeKey = "akka.remote.dot-netty.tcp.maximum-frame-size";

    /// <summary>Bytes of a frame kept for what remoting wraps around our payload.</summary>
    public const int FrameMargin = 4 * 1024;

    // Per serializer: plugin assemblies registered before the ActorSystem starts are included.
    private readonly FrozenDictionary<Type, string> Manifests = NasManifests.All.ToFrozenDictionary(kv => kv.Value, kv => kv.Key);
    private readonly FrozenDictionary<string, Type> Types = NasManifests.All.ToFrozenDictionary();
    private readonly FrozenSet<Type> Limited = NasManifests.Messages.Values.ToFrozenSet();
    private readonly FrozenSet<Type> Sealed = NasManifests.Persisted.Values.ToFrozenSet();

    private readonly JsonSerializerOptions _options;

    // Read on first use, not in the constructor: remoting adds its defaults to the system's config when its provider starts.
    private readonly Lazy<(long Frame, long Limit)?> _limit;

    public NasSerializer(ExtendedActorSystem system) : base(system)
    {
        _options = NasJson.WithActorRefs(system);
        _limit = new Lazy<(long, long)?>(() => PayloadLimit(system.Settings.Config));
    }

    /// <summary>The largest message payload allowed by <paramref name="config"/>'s frame size; null when remoting is not configured.</summary>
    internal static (long Frame, long Limit)? PayloadLimit(Akka.Configuration.Config config)
    {
        if (!config.HasPath(FrameSizeKey)) return null;
        var frame = config.GetByteSize(FrameSizeKey);
        if (frame is not > 0) return null;
        return (frame.Value, frame.Value > 2 * FrameMargin ? frame.Value - FrameMargin : frame.Value / 2);
    }

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var m) ? m
        : throw new SerializationException($"{o.GetType().FullName} has no NasActors manifest; register it in NasManifests");

    public override byte[] ToBinary(object obj)
    {
        var manifest = Manifest(obj); // refuse unregistered types before writing anything
        var bytes = JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _options);
        if (_limit.Value is { } l && bytes.Length > l.Limit && Limited.Contains(obj.GetType()))
            throw new SerializationException(
                $"{obj.GetType().FullName} ({manifest}) is {bytes.Length} bytes serialized, over the {l.Limit}-byte limit for a message " +
                $"({FrameSizeKey} = {l.Frame} bytes, less {l.Frame - l.Limit} for the envelope): remoting would drop it. " +
                "Send large data by reference (a checkpoint hash), not inside a message");
        return Sealed.Contains(obj.GetType()) ? JournalChecksum.Seal(manifest, bytes) : bytes;
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type))
            throw new SerializationException(NasManifests.IsFormat1(manifest)
                ? $"'{manifest}' is an event of store format 1, written before NasActors' one-engine change; this version reads format {Experiment.ExperimentProtocol.Format}"
                : $"unknown NasActors manifest '{manifest}': the journal was written by a newer or different version, or by a plugin that is not loaded");
        ReadOnlyMemory<byte> json = bytes;
        if (Sealed.Contains(type))
        {
            json = JournalChecksum.Open(manifest, bytes, out var error);
            if (error is not null) throw new SerializationException(error);
        }
        return JsonSerializer.Deserialize(json.Span, type, _options)
               ?? throw new SerializationException($"empty payload for manifest '{manifest}'");
    }
}
