using System.Collections.Immutable;
using NasActors.Core;

namespace NasActors.Cli;

/// <summary>
/// Parsed command line: a verb, positional arguments and options. Hand-written so that every mistake becomes one
/// line naming the option and exit code 2, like every other user error.
/// </summary>
internal sealed record CliArgs(string Verb, ImmutableArray<string> Positional, ImmutableDictionary<string, ImmutableArray<string>> Options)
{
    private static readonly ImmutableDictionary<string, ImmutableHashSet<string>> Allowed = new Dictionary<string, ImmutableHashSet<string>>
    {
        ["search"] = ["--config", "--name", "--store", "--set", "--cluster", "--seeds", "--node-config", "--quiet"],
        ["node"] = ["--config", "--role", "--seeds", "--host", "--port", "--devices", "--store", "--journal", "--set", "--allow-insecure"],
        ["resume"] = ["--store", "--quiet"],
        ["status"] = ["--store", "--lineage"],
        ["report"] = ["--store", "--out"],
        ["random-sample"] = ["--space", "-n", "--config", "--seed", "--out"],
        ["eval-arch"] = ["--store", "--split", "--out"],
        ["derive"] = ["--store", "-n", "--seed", "--split", "--out"],
        ["export"] = ["--store", "--top", "--out"],
        ["registry"] = ["--config"],
        ["gen-config"] = ["--space", "--strategy", "--out"],
        ["draw"] = ["--out"],
        ["train"] = ["--config", "--name", "--store", "--set", "--quiet"],
        ["evaluate"] = ["--data"],
        ["rank-check"] = ["--store", "-n", "--epochs", "--seed", "--out"],
        ["predict"] = ["--top"],
        ["help"] = [],
    }.ToImmutableDictionary();

    /// <summary>Options that take no value.</summary>
    private static readonly ImmutableHashSet<string> Flags = ["--cluster", "--allow-insecure", "--lineage", "--quiet"];

    public bool Flag(string name) => Options.ContainsKey(name);

    public static CliArgs Parse(string[] args)
    {
        if (args.Length == 0) return new CliArgs("search", [], ImmutableDictionary<string, ImmutableArray<string>>.Empty);
        var verb = args[0] is "-h" or "--help" ? "help" : args[0];
        if (!Allowed.TryGetValue(verb, out var allowed))
            throw new NasUserException($"unknown command '{verb}'; use one of: search, train, resume, status, export, report, registry, gen-config, draw, random-sample, eval-arch, derive, rank-check, evaluate, predict, node (see `nas help`)");
        var positional = ImmutableArray.CreateBuilder<string>();
        var options = new Dictionary<string, ImmutableArray<string>.Builder>();
        for (var i = 1; i < args.Length; i++)
        {
            var a = args[i];
            if (a is "-h" or "--help") return new CliArgs("help", [], ImmutableDictionary<string, ImmutableArray<string>>.Empty);
            // "--name" options, and one-letter ones ("-n K", as aw_nas's random-sample has it).
            var isOption = a.StartsWith("--", StringComparison.Ordinal) || (a.Length == 2 && a[0] == '-' && char.IsAsciiLetter(a[1]));
            if (!isOption) { positional.Add(a); continue; }
            string key = a, value;
            var eq = a.IndexOf('=');
            if (eq > 0) { key = a[..eq]; value = a[(eq + 1)..]; }
            else if (Flags.Contains(a)) value = "on";
            else
            {
                if (i + 1 >= args.Length) throw new NasUserException($"option {a} needs a value");
                value = args[++i];
            }
            if (!allowed.Contains(key))
                throw new NasUserException($"`nas {verb}` has no option {key}; it takes: {(allowed.IsEmpty ? "none" : string.Join(", ", allowed.Order()))}");
            if (!options.TryGetValue(key, out var list)) options[key] = list = ImmutableArray.CreateBuilder<string>();
            if (key != "--set" && list.Count > 0) throw new NasUserException($"option {key} given twice");
            list.Add(value);
        }
        return new CliArgs(verb, positional.ToImmutable(), options.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.ToImmutable()));
    }

    public string? Option(string name) => Options.TryGetValue(name, out var v) ? v[0] : null;
    public ImmutableArray<string> All(string name) => Options.TryGetValue(name, out var v) ? v : [];

    /// <summary>Option <paramref name="name"/> as a positive whole number; <paramref name="fallback"/> when it is absent.</summary>
    public int PositiveInt(string name, int fallback)
    {
        var text = Option(name);
        if (text is null) return fallback;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= 1
            ? v : throw new NasUserException($"{name} {text} is not a positive whole number");
    }

    /// <summary>Option <paramref name="name"/> as a whole number (a seed); <paramref name="fallback"/> when it is absent.</summary>
    public long Integer(string name, long fallback)
    {
        var text = Option(name);
        if (text is null) return fallback;
        return long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v : throw new NasUserException($"{name} {text} is not an integer");
    }

    public string Store => Option("--store") ?? Environment.GetEnvironmentVariable("NAS_STORE") ?? "experiments";

    public string RequireName(int maxPositional = 1)
    {
        if (Positional.Length == 0) throw new NasUserException($"`nas {Verb}` needs an experiment name, e.g. `nas {Verb} NAME` (`nas status` lists them)");
        if (Positional.Length > maxPositional) throw new NasUserException($"`nas {Verb}` takes one experiment name; got: {string.Join(" ", Positional)}");
        return Positional[0];
    }
}
