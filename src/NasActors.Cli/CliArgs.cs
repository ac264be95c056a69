using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using NasActors.Core;

namespace NasActors.Cli;

/// <summary>
/// A command line as the commands read it: the verb, its positional arguments and its options' values (a default from
/// <see cref="CliGrammar"/> where the option has one). System.CommandLine parses; every parse error becomes one line
/// and exit code 2, like every other user error.
/// </summary>
/// <param name="Builtin">A parse the library answers itself (--help, --version, [suggest]): invoke it instead.</param>
internal sealed record CliArgs(string Verb, ImmutableArray<string> Positional, ImmutableDictionary<string, object> Values, ParseResult? Builtin = null)
{
    /// <param name="commandName">How hints name the program: "nas", or a program's own name (Nas.CommandName).</param>
    public static CliArgs Parse(string[] args, string commandName = "nas")
    {
        // No command at all: the default job, a search with every option at its default.
        var result = CliGrammar.Root.Parse(args.Length == 0 ? ["search"] : args, CliGrammar.Parsing);
        var command = result.CommandResult.Command;
        // --help, --version and the shell's [suggest] directive: the library answers them, whatever else the line has.
        if (result.Action is not null and not System.CommandLine.Invocation.ParseErrorAction)
            return new CliArgs("builtin", [], ImmutableDictionary<string, object>.Empty, result);
        if (command is RootCommand && result.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith('-')) is { } unknown)
            throw new NasUserException($"unknown command '{unknown}'; use one of: {string.Join(", ", CliGrammar.Root.Subcommands.Select(c => c.Name))} (see `{commandName} --help`)");
        if (result.Errors.Count > 0)
            throw new NasUserException($"{result.Errors[0].Message.TrimEnd('.')} (see `{commandName} {(command is RootCommand ? "" : command.Name + " ")}--help`)");

        var positional = command.Arguments.SelectMany(a => result.GetValue((Argument<string[]>)a) ?? []).ToImmutableArray();
        // The library takes an unknown option for a positional argument; name it as the mistake it is.
        if (positional.FirstOrDefault(p => p.Length > 1 && p[0] == '-' && !double.TryParse(p, CultureInfo.InvariantCulture, out _)) is { } option)
            throw new NasUserException($"`{commandName} {command.Name}` has no option {option.Split('=')[0]}; it takes: {string.Join(", ", command.Options.Where(o => !o.Hidden && o.Name != "--help").Select(o => o.Name).Order())}");
        var values = ImmutableDictionary.CreateBuilder<string, object>();
        foreach (var o in command.Options)
            if (result.GetResult(o) is { } r && r.GetValueOrDefault<object>() is { } v) values[o.Name] = v;
        return new CliArgs(command.Name, positional, values.ToImmutable());
    }

    public bool Flag(string name) => Values.TryGetValue(name, out var v) && v is true;

    public string? Option(string name) => Values.TryGetValue(name, out var v) ? v as string : null;

    /// <summary>A text option that has a default in the grammar.</summary>
    public string Defaulted(string name) => Option(name) ?? throw new InvalidOperationException($"{name} has no default in CliGrammar");

    public ImmutableArray<string> All(string name) => Values.TryGetValue(name, out var v) && v is string[] list ? [.. list] : [];

    /// <summary>A count option (-n, --top, --epochs) that has a default in the grammar, checked positive there.</summary>
    public int Count(string name) => CountIfGiven(name) ?? throw new InvalidOperationException($"{name} has no default in CliGrammar");

    /// <summary>A count option without a default: null when absent.</summary>
    public int? CountIfGiven(string name) => Values.TryGetValue(name, out var v) ? (int)v : null;

    /// <summary>--seed: its value; <paramref name="fallback"/> when absent (for commands whose default is not a constant).</summary>
    public long Seed(long? fallback = null) => Values.TryGetValue("--seed", out var v) ? (long)v
        : fallback ?? throw new InvalidOperationException("--seed has no default in CliGrammar");

    public string Store => Defaulted("--store");

    public string RequireName(int maxPositional = 1)
    {
        if (Positional.Length == 0) throw new NasUserException($"`nas {Verb}` needs an experiment name, e.g. `nas {Verb} NAME` (`nas status` lists them)");
        if (Positional.Length > maxPositional) throw new NasUserException($"`nas {Verb}` takes one experiment name; got: {string.Join(" ", Positional)}");
        return Positional[0];
    }
}
