using System.Collections.Immutable;
using System.Globalization;
using Akka.Configuration;
using NasActors.Core;
using NasActors.Core.Engine;

namespace NasActors.Runtime.Configuration;

/// <summary>
/// Reads typed values of one section (<paramref name="path"/>; "" = the root, keys then are full paths) and turns every
/// type or range error into one line naming the full key and the file. Strategy and space modules read their own
/// sections through it as an <see cref="ISettingsSource"/>.
/// </summary>
internal sealed class ConfigReader(Config config, string source, string path = "") : ISettingsSource
{
    public string Path => path;
    public string Source => source;

    private string Full(string key) => path.Length == 0 ? key : path + "." + key;

    private T Read<T>(string key, Func<string, T> read, string expected)
    {
        var full = Full(key);
        try { return read(full); }
        catch (Exception e) when (e is not NasUserException)
        {
            var raw = Raw(full);
            // Akka's HOCON shows a key with nothing after '=' as <<unknown value>>.
            if (raw.Trim().Length == 0 || raw.Contains("<<unknown value>>", StringComparison.Ordinal))
                throw new NasUserException($"{full} in {source} is empty; give {expected}");
            throw new NasUserException($"{full} in {source} is not {expected}: '{raw}'");
        }
    }

    private string Raw(string key)
    {
        try { return config.GetValue(key)?.ToString() ?? ""; }
        catch { return "?"; }
    }

    public bool Bool(string key) => Read(key, k => config.GetBoolean(k), "on or off");

    public string String(string key) => Read(key, k => config.GetString(k) ?? throw new FormatException(), "a string");

    public int Int(string key, int min, int max)
    {
        var v = Read(key, k => int.Parse(config.GetString(k), NumberStyles.Integer, CultureInfo.InvariantCulture), "an integer");
        if (v < min || v > max) throw new NasUserException($"{Full(key)} = {v} in {source} is out of range [{min}, {max}]");
        return v;
    }

    public long Long(string key, long min = long.MinValue, long max = long.MaxValue)
    {
        var v = Read(key, k => long.Parse(config.GetString(k), NumberStyles.Integer, CultureInfo.InvariantCulture), "an integer");
        if (v < min || v > max) throw new NasUserException($"{Full(key)} = {v} in {source} is out of range [{min}, {max}]");
        return v;
    }

    public double Double(string key, double min, double max)
    {
        var v = Read(key, k => double.Parse(config.GetString(k), NumberStyles.Float, CultureInfo.InvariantCulture), "a number");
        if (!(v >= min && v <= max)) throw new NasUserException($"{Full(key)} = {v.ToString(CultureInfo.InvariantCulture)} in {source} is out of range [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]");
        return v;
    }

    public TimeSpan Duration(string key, bool allowZero = false)
    {
        var v = Read(key, k => config.GetTimeSpan(k, null, allowInfinite: false), "a duration (e.g. 30s, 10m)");
        if (v < TimeSpan.Zero || (v == TimeSpan.Zero && !allowZero)) throw new NasUserException($"{Full(key)} in {source} must be a positive duration");
        return v;
    }

    public ImmutableArray<string> StringList(string key) =>
        Read(key, k => config.GetStringList(k).ToImmutableArray(), "a list of strings");

    public ImmutableArray<int> IntList(string key) =>
        Read(key, k => config.GetStringList(k).Select(s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToImmutableArray(), "a list of integers");

    public ImmutableArray<string> Strings(string key) => StringList(key);
    public ImmutableArray<int> Ints(string key) => IntList(key);
    public ISettingsSource Section(string key) => new ConfigReader(config, source, Full(key));
}
