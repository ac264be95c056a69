using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace NasActors.Core.SearchSpaces;

/// <summary>
/// An immutable choice key → chosen value map. Values are candidate names (layer), values (value)
/// or ascending comma-separated input indices ("0,2") for input choices. Keys are ordinal-sorted, so the
/// canonical string and its hash do not depend on construction order.
/// </summary>
public sealed class Architecture : IEquatable<Architecture>
{
    public ImmutableSortedDictionary<string, string> Choices { get; }

    public Architecture(IEnumerable<KeyValuePair<string, string>> choices) =>
        Choices = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, choices);

    public string this[string key] => Choices[key];

    /// <summary>"k1=v1;k2=v2" in ordinal key order: the identity of an architecture.</summary>
    public string CanonicalKey => string.Join(";", Choices.Select(kv => kv.Key + "=" + kv.Value));

    /// <summary>First 16 hex digits of SHA-256 of the canonical key.</summary>
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalKey)))[..16];

    public Architecture With(string key, string value) => new(Choices.SetItem(key, value));

    public bool Equals(Architecture? other) => other is not null && CanonicalKey == other.CanonicalKey;
    public override bool Equals(object? obj) => Equals(obj as Architecture);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(CanonicalKey);
    public override string ToString() => CanonicalKey;
}
