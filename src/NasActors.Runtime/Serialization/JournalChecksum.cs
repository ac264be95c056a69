using System.Security.Cryptography;
using System.Text;

namespace NasActors.Runtime.Serialization;

/// <summary>
/// The checksum every journal event carries: its payload is a first line <c>#nas-sha256 HEX</c> (the first 16 hex digits
/// of SHA-256 over the manifest, "\n" and the JSON), "\n", then the JSON, so a payload stays readable. A changed byte in
/// the JSON or a payload moved to another kind of event fails the check on replay (<see cref="NasSerializer"/>) and in
/// plain reads (<see cref="Hosting.ExperimentJournal"/>). Messages between nodes carry none: they are plain JSON.
/// </summary>
internal static class JournalChecksum
{
    public const string Prefix = "#nas-sha256 ";
    private const int HexLength = 16;
    private static readonly byte[] PrefixBytes = Encoding.ASCII.GetBytes(Prefix);
    private static readonly int HeaderLength = PrefixBytes.Length + HexLength + 1;

    /// <summary>
    /// Journal events of store format 1's cluster coordinator, written before checksums: read without one when it is
    /// missing (that is how the coordinator reports a format-1 experiment); one that has a checksum line is verified.
    /// </summary>
    private static readonly HashSet<string> Unsealed = ["nas.coordinator.experiment-submitted.v1", "nas.coordinator.experiment-ended.v1"];

    /// <summary>The payload of an event: the checksum line, then <paramref name="json"/>.</summary>
    public static byte[] Seal(string manifest, ReadOnlySpan<byte> json)
    {
        var bytes = new byte[HeaderLength + json.Length];
        PrefixBytes.CopyTo(bytes, 0);
        Encoding.ASCII.GetBytes(Compute(manifest, json), bytes.AsSpan(PrefixBytes.Length));
        bytes[HeaderLength - 1] = (byte)'\n';
        json.CopyTo(bytes.AsSpan(HeaderLength));
        return bytes;
    }

    /// <summary>The JSON of a sealed payload, or why it cannot be trusted (a short phrase, no sentence end).</summary>
    public static ReadOnlyMemory<byte> Open(string manifest, byte[] payload, out string? error)
    {
        error = null;
        if (!payload.AsSpan().StartsWith(PrefixBytes))
        {
            if (Unsealed.Contains(manifest)) return payload;
            error = $"the {manifest} event has no checksum line (it must begin with '{Prefix.TrimEnd()}')";
            return default;
        }
        if (payload.Length < HeaderLength || payload[HeaderLength - 1] != (byte)'\n')
        {
            error = $"the checksum line of the {manifest} event is malformed";
            return default;
        }
        var stored = Encoding.ASCII.GetString(payload, PrefixBytes.Length, HexLength);
        var json = payload.AsMemory(HeaderLength);
        var computed = Compute(manifest, json.Span);
        if (!string.Equals(stored, computed, StringComparison.Ordinal))
        {
            error = $"the {manifest} event fails its checksum (stored {Printable(stored)}, computed {computed})";
            return default;
        }
        return json;
    }

    private static string Compute(string manifest, ReadOnlySpan<byte> json)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(manifest + "\n"));
        sha.AppendData(json);
        Span<byte> hash = stackalloc byte[32];
        sha.GetHashAndReset(hash);
        return Convert.ToHexStringLower(hash[..(HexLength / 2)]);
    }

    private static string Printable(string s) => new(s.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '?').ToArray());
}
