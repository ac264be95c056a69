using System.Collections.Immutable;
using System.Globalization;
using NasActors.Core.Engine;

namespace NasActors.Core.Tests.Support;

/// <summary>
/// An <see cref="ISettingsSource"/> over a flat key → text map (nested sections as dotted keys), with the Runtime's range
/// checks and messages, so modules read their sections without HOCON. <see cref="FromSection"/> parses the simple HOCON
/// a module's ConfigSection is written in: comments, <c>key = value</c>, <c>name { ... }</c> and <c>[a, b]</c> lists.
/// </summary>
public sealed class FakeSettings(string path, IReadOnlyDictionary<string, string> values, string source = "test.conf") : ISettingsSource
{
    public string Path => path;
    public string Source => source;

    public IReadOnlyDictionary<string, string> Values => values;

    private string Full(string key) => path + "." + key;

    private string Raw(string key) => values.TryGetValue(key, out var v) ? v
        : throw new NasUserException($"{Full(key)} is missing in {source}");

    private T Parse<T>(string key, Func<string, T> parse, string expected)
    {
        var raw = Raw(key);
        try { return parse(raw); }
        catch (FormatException) { throw new NasUserException($"{Full(key)} in {source} is not {expected}: '{raw}'"); }
        catch (OverflowException) { throw new NasUserException($"{Full(key)} in {source} is not {expected}: '{raw}'"); }
    }

    public int Int(string key, int min, int max)
    {
        var v = Parse(key, s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture), "an integer");
        return v >= min && v <= max ? v : throw new NasUserException($"{Full(key)} = {v} in {source} is out of range [{min}, {max}]");
    }

    public long Long(string key, long min, long max)
    {
        var v = Parse(key, s => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture), "an integer");
        return v >= min && v <= max ? v : throw new NasUserException($"{Full(key)} = {v} in {source} is out of range [{min}, {max}]");
    }

    public double Double(string key, double min, double max)
    {
        var v = Parse(key, s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture), "a number");
        return v >= min && v <= max ? v
            : throw new NasUserException($"{Full(key)} = {v.ToString(CultureInfo.InvariantCulture)} in {source} is out of range [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]");
    }

    public string String(string key) => Raw(key);

    public bool Bool(string key) => Parse(key, s => s switch
    {
        "on" or "true" or "yes" => true,
        "off" or "false" or "no" => false,
        _ => throw new FormatException(),
    }, "on or off");

    public ImmutableArray<string> Strings(string key) => Parse(key, List, "a list of strings");

    public ImmutableArray<int> Ints(string key) =>
        Parse(key, s => List(s).Select(x => int.Parse(x, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToImmutableArray(), "a list of integers");

    public ISettingsSource Section(string key) => new FakeSettings(Full(key),
        values.Where(kv => kv.Key.StartsWith(key + ".", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[(key.Length + 1)..], kv => kv.Value), source);

    /// <summary>A copy with <paramref name="key"/> set to <paramref name="value"/>.</summary>
    public FakeSettings With(string key, string value)
    {
        var copy = values.ToDictionary();
        copy[key] = value;
        return new FakeSettings(path, copy, source);
    }

    private static ImmutableArray<string> List(string s)
    {
        s = s.Trim();
        if (!s.StartsWith('[') || !s.EndsWith(']')) throw new FormatException();
        var body = s[1..^1].Trim();
        return body.Length == 0 ? [] : [.. body.Split(',').Select(x => Unquote(x.Trim()))];
    }

    private static string Unquote(string s) => s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1] : s;

    /// <summary>The settings of a module's ConfigSection body, under <paramref name="path"/>.</summary>
    public static FakeSettings FromSection(string path, string body)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var prefix = new Stack<string>();
        foreach (var rawLine in body.Split('\n'))
        {
            var line = rawLine;
            var hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            line = line.Trim();
            if (line.Length == 0) continue;
            string Key(string k) => string.Concat(prefix.Reverse().Select(p => p + ".")) + k;
            if (line == "}") { prefix.Pop(); continue; }
            if (line.EndsWith('{')) { prefix.Push(line[..^1].Trim()); continue; }
            var eq = line.IndexOf('=');
            if (eq < 0) throw new FormatException($"cannot read config line '{rawLine}'");
            var key = line[..eq].Trim();
            if (values.ContainsKey(Key(key))) throw new FormatException($"key {Key(key)} set twice");
            values[Key(key)] = Unquote(line[(eq + 1)..].Trim());
        }
        if (prefix.Count != 0) throw new FormatException("unbalanced braces");
        return new FakeSettings(path, values);
    }
}
