using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NasActors.Core.Randomness;

namespace NasActors.Core.SearchSpaces;

/// <summary>An ordered, validated list of choices. Construct with <see cref="Create"/>.</summary>
public sealed class SearchSpace
{
    public string Name { get; }
    public ImmutableArray<Choice> Choices { get; }
    private readonly ImmutableDictionary<string, Choice> _byKey;

    private SearchSpace(string name, ImmutableArray<Choice> choices)
    {
        Name = name;
        Choices = choices;
        _byKey = choices.ToImmutableDictionary(c => c.Key, StringComparer.Ordinal);
    }

    /// <summary>Validates and builds a space; throws <see cref="SearchSpaceException"/> naming the bad choice.</summary>
    public static SearchSpace Create(string name, IEnumerable<Choice> choices)
    {
        var list = choices.ToImmutableArray();
        if (list.IsEmpty) throw new SearchSpaceException($"search space '{name}' has no choices; add at least one layer, input or value choice");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in list)
        {
            if (string.IsNullOrWhiteSpace(c.Key) || c.Key.Contains('=') || c.Key.Contains(';'))
                throw new SearchSpaceException($"search space '{name}': choice key '{c.Key}' is empty or contains '=' or ';'; use keys like 'normal/op_2_0'");
            if (!seen.Add(c.Key))
                throw new SearchSpaceException($"search space '{name}': duplicate choice key '{c.Key}'; every choice needs a unique key");
            if (c.Candidates.IsDefaultOrEmpty)
                throw new SearchSpaceException($"search space '{name}': choice '{c.Key}' has no candidates; give it at least one");
            var cands = new HashSet<string>(StringComparer.Ordinal);
            foreach (var v in c.Candidates)
            {
                if (string.IsNullOrWhiteSpace(v) || v.Contains(';') || v.Contains(','))
                    throw new SearchSpaceException($"search space '{name}': choice '{c.Key}' has an empty candidate or one containing ';' or ','");
                if (!cands.Add(v))
                    throw new SearchSpaceException($"search space '{name}': choice '{c.Key}' lists candidate '{v}' twice; candidates must be distinct");
            }
            if (c.Kind != ChoiceKind.Input && c.NChosen != 1)
                throw new SearchSpaceException($"search space '{name}': choice '{c.Key}' chooses {c.NChosen}; n_chosen of a layer or value choice must be 1");
            if (c.Kind == ChoiceKind.Input && (c.NChosen < Choice.AnyNumber || c.NChosen > c.Candidates.Length))
                throw new SearchSpaceException($"search space '{name}': input choice '{c.Key}' chooses {c.NChosen} of {c.Candidates.Length} inputs; n_chosen must be between 1 and {c.Candidates.Length}, or any number (null)");
            if (c.Kind == ChoiceKind.Input && c.NChosen == Choice.AnyNumber && c.Candidates.Length > 16)
                throw new SearchSpaceException($"search space '{name}': input choice '{c.Key}' may choose any of {c.Candidates.Length} inputs (2^{c.Candidates.Length} subsets); at most 16 inputs, or fix n_chosen");
        }
        return new SearchSpace(name, list);
    }

    public Choice this[string key] => _byKey.TryGetValue(key, out var c) ? c
        : throw new SearchSpaceException($"search space '{Name}' has no choice '{key}'");

    public bool TryGet(string key, out Choice choice) => _byKey.TryGetValue(key, out choice!);

    /// <summary>Number of architectures (as a double: spaces grow fast).</summary>
    public double Size => Choices.Aggregate(1.0, (acc, c) => acc * c.Cardinality);

    /// <summary>Hash of the space's structure: two processes agree on a space iff their hashes match.</summary>
    public string Hash
    {
        get
        {
            var sb = new StringBuilder(Name);
            foreach (var c in Choices) sb.Append('|').Append(c.Key).Append(':').Append(c.Kind).Append(':').Append(c.NChosen).Append(':').AppendJoin(',', c.Candidates);
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
        }
    }

    /// <summary>Throws <see cref="SearchSpaceException"/> unless <paramref name="arch"/> sets exactly this space's choices to valid values.</summary>
    public void Validate(Architecture arch)
    {
        foreach (var key in arch.Choices.Keys)
            if (!_byKey.ContainsKey(key))
                throw new SearchSpaceException($"architecture sets '{key}', which search space '{Name}' does not have");
        foreach (var c in Choices)
        {
            if (!arch.Choices.TryGetValue(c.Key, out var v))
                throw new SearchSpaceException($"architecture does not set choice '{c.Key}' of search space '{Name}'");
            if (!IsValidValue(c, v))
                throw new SearchSpaceException($"architecture sets '{c.Key}' to '{v}', which is not one of its candidates ({string.Join(", ", c.Candidates)})");
        }
    }

    public bool Contains(Architecture arch)
    {
        try { Validate(arch); return true; }
        catch (SearchSpaceException) { return false; }
    }

    private static bool IsValidValue(Choice c, string v)
    {
        if (c.Kind != ChoiceKind.Input) return c.Candidates.Contains(v);
        if (c.NChosen == Choice.AnyNumber && v.Length == 0) return true; // none chosen
        var parts = v.Split(',');
        if (c.NChosen != Choice.AnyNumber && parts.Length != c.NChosen) return false;
        var prev = -1;
        foreach (var p in parts)
        {
            // Canonical form only ("1", not "01"): one architecture must have one identity.
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var i) || i <= prev || i >= c.Candidates.Length
                || p != i.ToString(CultureInfo.InvariantCulture)) return false;
            prev = i;
        }
        return true;
    }

    /// <summary>Uniformly samples a value for one choice.</summary>
    public static string SampleValue(Choice c, Xoshiro256 rng)
    {
        if (c.Kind != ChoiceKind.Input) return c.Candidates[rng.NextInt(c.Candidates.Length)];
        if (c.NChosen == Choice.AnyNumber)
            // Every subset equally likely: each input in or out with probability 1/2.
            return string.Join(",", Enumerable.Range(0, c.Candidates.Length).Where(_ => rng.NextInt(2) == 1)
                .Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList());
        // Partial Fisher-Yates: k distinct inputs, stored ascending (canonical).
        var idx = Enumerable.Range(0, c.Candidates.Length).ToArray();
        for (var i = 0; i < c.NChosen; i++)
        {
            var j = i + rng.NextInt(idx.Length - i);
            (idx[i], idx[j]) = (idx[j], idx[i]);
        }
        return string.Join(",", idx.Take(c.NChosen).Order().Select(i => i.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Every architecture, in a fixed order (the first choice varies fastest). Only sensible for small spaces.</summary>
    public IEnumerable<Architecture> Enumerate()
    {
        var values = Choices.Select(AllValues).ToArray();
        var idx = new int[Choices.Length];
        while (true)
        {
            yield return new Architecture(Choices.Select((c, i) => KeyValuePair.Create(c.Key, values[i][idx[i]])));
            var k = 0;
            while (k < idx.Length && ++idx[k] >= values[k].Count) idx[k++] = 0;
            if (k == idx.Length) yield break;
        }
    }

    /// <summary>All values of a choice; input choices as ascending index combinations.</summary>
    internal static IReadOnlyList<string> AllValues(Choice c)
    {
        if (c.Kind != ChoiceKind.Input) return c.Candidates;
        if (c.NChosen == Choice.AnyNumber)
            return [.. Enumerable.Range(0, 1 << c.Candidates.Length).Select(mask => string.Join(",",
                Enumerable.Range(0, c.Candidates.Length).Where(i => (mask & (1 << i)) != 0).Select(i => i.ToString(CultureInfo.InvariantCulture))))];
        var result = new List<string>();
        int n = c.Candidates.Length, k = c.NChosen;
        var a = Enumerable.Range(0, k).ToArray();
        while (true)
        {
            result.Add(string.Join(",", a.Select(i => i.ToString(CultureInfo.InvariantCulture))));
            var i = k - 1;
            while (i >= 0 && a[i] == n - k + i) i--;
            if (i < 0) return result;
            a[i]++;
            for (var j = i + 1; j < k; j++) a[j] = a[j - 1] + 1;
        }
    }

    /// <summary>Uniformly samples a whole architecture.</summary>
    public Architecture Sample(Xoshiro256 rng) =>
        new(Choices.Select(c => KeyValuePair.Create(c.Key, SampleValue(c, rng))));
}
