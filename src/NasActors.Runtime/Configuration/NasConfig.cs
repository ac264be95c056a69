using Akka.Configuration;
using Akka.Configuration.Hocon;
using NasActors.Core;

namespace NasActors.Runtime.Configuration;

/// <summary>
/// Loads experiment configs: the user's HOCON (file plus --set overrides) over the embedded reference.conf.
/// Rejects malformed HOCON and any key the reference does not define, naming the key and the file.
/// </summary>
public static class NasConfig
{
    private static readonly Lazy<Config> ReferenceConfig = new(() =>
    {
        using var s = typeof(NasConfig).Assembly.GetManifestResourceStream("NasActors.Runtime.reference.conf")
                      ?? throw new InvalidOperationException("reference.conf is not embedded");
        using var r = new StreamReader(s);
        return ConfigurationFactory.ParseString(r.ReadToEnd());
    });

    public static Config Reference => ReferenceConfig.Value;

    /// <summary>The user's text: the file's content followed by one line per override.</summary>
    public static string ComposeText(string? fileText, IEnumerable<string> overrides) =>
        (fileText ?? "") + "\n" + string.Join("\n", overrides.Select(o =>
        {
            var eq = o.IndexOf('=');
            if (eq <= 0) throw new NasUserException($"--set '{o}' is not key=value; write e.g. --set nas.train.total-steps=200");
            var key = o[..eq].Trim();
            if (!key.StartsWith("nas.", StringComparison.Ordinal)) key = "nas." + key;
            return key + " = " + o[(eq + 1)..].Trim();
        })) + "\n";

    /// <summary>Parses <paramref name="text"/>, checks its keys, and returns it over the reference defaults.</summary>
    public static Config Parse(string text, string source)
    {
        Config user;
        HoconLint.Check(text, source);
        try
        {
            user = ConfigurationFactory.ParseString(text);
        }
        catch (Exception e)
        {
            var msg = e.Message.ReplaceLineEndings(" ").Trim();
            throw new NasUserException($"{source} is not valid HOCON: {msg}");
        }
        CheckKeys(user.Root, Reference.Root, "", source);
        return user.WithFallback(Reference);
    }

    public static Config Load(string path, IEnumerable<string> overrides)
    {
        if (!File.Exists(path))
            throw new NasUserException($"config file {path} not found; pass an existing file with --config (see hocon/)");
        return Parse(ComposeText(File.ReadAllText(path), overrides), path);
    }

    private static void CheckKeys(HoconValue? user, HoconValue? reference, string prefix, string source)
    {
        if (user is null || !user.IsObject()) return;
        var refObj = reference is not null && reference.IsObject() ? reference.GetObject() : null;
        foreach (var (key, value) in user.GetObject().Items)
        {
            var path = prefix.Length == 0 ? key : prefix + "." + key;
            if (refObj is null || !refObj.Items.TryGetValue(key, out var refValue))
            {
                var known = refObj is null ? "" : $"; known keys{(prefix.Length == 0 ? "" : " under " + prefix)}: {string.Join(", ", refObj.Items.Keys)}";
                throw new NasUserException($"unknown key {path} in {source}{known}");
            }
            if (refValue.IsObject())
            {
                if (!value.IsObject()) throw new NasUserException($"{path} in {source} must be an object {{ ... }}");
                CheckKeys(value, refValue, path, source);
            }
        }
    }
}
