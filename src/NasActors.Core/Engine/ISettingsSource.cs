using System.Collections.Immutable;

namespace NasActors.Core.Engine;

/// <summary>
/// Typed, validated reads of one config section (the Runtime reads HOCON through it), so that a strategy or space in
/// Core parses its own section without depending on a config library. Every error names the full key and the file.
/// </summary>
public interface ISettingsSource
{
    /// <summary>The section's full path, e.g. "nas.strategies.enas-rl".</summary>
    string Path { get; }

    /// <summary>Where the config came from, for messages.</summary>
    string Source { get; }

    int Int(string key, int min, int max);
    long Long(string key, long min, long max);
    double Double(string key, double min, double max);
    string String(string key);
    bool Bool(string key);
    ImmutableArray<string> Strings(string key);
    ImmutableArray<int> Ints(string key);
    ISettingsSource Section(string key);

    /// <summary>Runs a settings record's own validation, adding the file to its message.</summary>
    void Check(Action validate)
    {
        try { validate(); }
        catch (NasUserException e) { throw new NasUserException($"{e.Message} (in {Source})"); }
    }

    /// <summary>A user error naming <paramref name="key"/> (relative to this section) and the file.</summary>
    NasUserException Error(string key, string problem) => new($"{Path}.{key} {problem} (in {Source})");
}
