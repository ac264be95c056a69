using System.Collections.Immutable;
using System.Globalization;
using Akka.Configuration;
using NasActors.Core;

namespace NasActors.Runtime.Configuration;

/// <summary>Reads typed values and turns every type or range error into one line naming the key and the file.</summary>
internal sealed class ConfigReader(Config config, string source)
{
    private T Read<T>(string key, Func<T> read, string expected)
    {
        try { return read(); }
        catch (Exception e) when (e is not NasUserException)
        {
            throw new NasUserException($"{key} in {source} is not {expected}: '{Raw(key)}'");
        }
    }

    private string Raw(string key)
    {
        try { return config.GetValue(key)?.ToString() ?? ""; }
        catch { return "?"; }
    }

    public bool Bool(string key) => Read(key, () => config.GetBoolean(key), "on or off");

    public string String(string key) => Read(key, () => config.GetString(key) ?? throw new FormatException(), "a string");

    public int Int(string key, int min, int max)
    {
        var v = Read(key, () => int.Parse(config.GetString(key), NumberStyles.Integer, CultureInfo.InvariantCulture), "an integer");
        if (v < min || v > max) throw new NasUserException($"{key} = {v} in {source} is out of range [{min}, {max}]");
        return v;
    }

    public long Long(string key, long min = long.MinValue, long max = long.MaxValue)
    {
        var v = Read(key, () => long.Parse(config.GetString(key), NumberStyles.Integer, CultureInfo.InvariantCulture), "an integer");
        if (v < min || v > max) throw new NasUserException($"{key} = {v} in {source} is out of range [{min}, {max}]");
        return v;
    }

    public double Double(string key, double min, double max)
    {
        var v = Read(key, () => double.Parse(config.GetString(key), NumberStyles.Float, CultureInfo.InvariantCulture), "a number");
        if (!(v >= min && v <= max)) throw new NasUserException($"{key} = {v.ToString(CultureInfo.InvariantCulture)} in {source} is out of range [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]");
        return v;
    }

    public TimeSpan Duration(string key, bool allowZero = false)
    {
        var v = Read(key, () => config.GetTimeSpan(key, null, allowInfinite: false), "a duration (e.g. 30s, 10m)");
        if (v < TimeSpan.Zero || (v == TimeSpan.Zero && !allowZero)) throw new NasUserException($"{key} in {source} must be a positive duration");
        return v;
    }

    public ImmutableArray<string> StringList(string key) =>
        Read(key, () => config.GetStringList(key).ToImmutableArray(), "a list of strings");

    public ImmutableArray<int> IntList(string key) =>
        Read(key, () => config.GetStringList(key).Select(s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToImmutableArray(), "a list of integers");
}
