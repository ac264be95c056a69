using System.CommandLine;
using NasActors.Core;

namespace NasActors.Cli.Tests;

/// <summary>The command line on System.CommandLine, in process: values and defaults, help, completion, every parse error.</summary>
public sealed class CliArgsTests
{
    private static readonly string DefaultStore = Environment.GetEnvironmentVariable("NAS_STORE") ?? "experiments";

    [Fact]
    public void CliArgs_must_read_values_and_the_grammars_defaults()
    {
        var a = CliArgs.Parse(["search", "--config=my.conf", "--set", "nas.a=1", "--set", "nas.b=x=y", "--quiet", "--name", "run1"]);
        Assert.Equal("search", a.Verb);
        Assert.Equal("my.conf", a.Option("--config"));
        Assert.Equal(["nas.a=1", "nas.b=x=y"], a.All("--set").ToArray());
        Assert.True(a.Flag("--quiet"));
        Assert.False(a.Flag("--cluster"));
        Assert.Equal("run1", a.Option("--name"));
        Assert.Equal(DefaultStore, a.Store);
        Assert.Empty(a.Positional);

        var r = CliArgs.Parse(["rank-check", "exp", "--epochs", "3", "--seed", "-7", "--store", "/tmp/s"]);
        Assert.Equal(["exp"], r.Positional.ToArray());
        Assert.Equal(20, r.Count("-n"));
        Assert.Equal(3, r.Count("--epochs"));
        Assert.Equal(-7, r.Seed(99));
        Assert.Equal("/tmp/s", r.Store);
        Assert.Equal(5, CliArgs.Parse(["derive", "exp"]).Seed(5));
        Assert.Null(CliArgs.Parse(["export", "exp"]).CountIfGiven("--top"));
        Assert.Equal("test", CliArgs.Parse(["evaluate", "m"]).Defaulted("--data"));
        Assert.Equal("@x", CliArgs.Parse(["train", "@x"]).Positional[0]); // no response-file expansion
    }

    [Fact]
    public void CliArgs_must_run_the_default_search_when_given_nothing()
    {
        var a = CliArgs.Parse([]);
        Assert.Equal("search", a.Verb);
        Assert.Null(a.Option("--config"));
        Assert.Equal(DefaultStore, a.Store);
    }

    [Theory]
    [InlineData("unknown command 'serch'; use one of: search, train", "serch")]
    [InlineData("`nas search` has no option --confg; it takes: --cluster, --config,", "search", "--confg", "x")]
    [InlineData("`nas status` has no option --top", "status", "--top=3")]
    [InlineData("`nas predict` has no option -x", "predict", "m", "i", "-x")]
    [InlineData("Required argument missing for option: '--config' (see `nas search --help`)", "search", "--config")]
    [InlineData("'--name' expects a single argument but 2 were provided", "search", "--name", "a", "--name", "b")]
    [InlineData("-n 0 is not a positive whole number (see `nas derive --help`)", "derive", "e", "-n", "0")]
    [InlineData("--epochs 1.5 is not a positive whole number", "rank-check", "e", "--epochs", "1.5")]
    [InlineData("--top -2 is not a positive whole number", "predict", "m", "i", "--top", "-2")]
    [InlineData("--seed abc is not an integer", "random-sample", "--seed", "abc")]
    [InlineData("--split train is not a split; use validation or test", "eval-arch", "e", "a.json", "--split", "train")]
    [InlineData("--data train is not a split; use test or validation", "evaluate", "m", "--data", "train")]
    public void CliArgs_must_refuse_bad_input_in_one_line(string message, params string[] args)
    {
        var e = Assert.Throws<NasUserException>(() => CliArgs.Parse(args));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Help_must_list_every_option_of_every_command_with_its_default()
    {
        var commands = CliGrammar.Root.Subcommands;
        Assert.Equal(["search", "train", "resume", "status", "export", "report", "registry", "gen-config", "random-sample",
            "eval-arch", "derive", "rank-check", "evaluate", "predict", "draw", "node", "help"], commands.Select(c => c.Name));
        // The test host's output is redirected, as a pipe's or a CI log's: the help still wraps.
        Assert.True(Console.IsOutputRedirected);
        static void MustWrap(string help)
        {
            foreach (var line in help.Split('\n'))
                Assert.True(line.TrimEnd().Length <= CliGrammar.RedirectedHelpWidth, $"help line over {CliGrammar.RedirectedHelpWidth} characters: {line}");
        }
        var rootHelp = Help();
        MustWrap(rootHelp);
        foreach (var c in commands) Assert.Contains("  " + c.Name, rootHelp);
        foreach (var c in commands)
        {
            var help = Help(c.Name);
            MustWrap(help);
            Assert.Contains($"{CliGrammar.Root.Name} {c.Name}", help); // the Usage line
            foreach (var o in c.Options)
            {
                var line = help.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith(o.Name, StringComparison.Ordinal));
                Assert.True(line is not null, $"`nas {c.Name} --help` does not list {o.Name}:\n{help}");
                if (o.HasDefaultValue && o.ValueType != typeof(bool)) Assert.True(line.Contains("[default: "), $"{c.Name} {o.Name} does not show its default: {line}");
            }
        }
        Assert.Contains("-n <K>", Help("rank-check"));
        Assert.Contains("[default: 20]", Help("rank-check"));
        Assert.Contains($"[default: {DefaultStore}]", Help("status"));
    }

    [Fact]
    public void Completion_must_offer_commands_options_spaces_splits_and_experiments()
    {
        // As a shell asks ([suggest] directive): the line so far, the cursor at its end.
        static string[] Complete(string line) =>
            [.. CliGrammar.Root.Parse(line, CliGrammar.Parsing).GetCompletions(line.Length).Select(c => c.Label)];
        Assert.Equal(["random-sample", "rank-check"], Complete("ra").Take(2)); // prefix matches first
        Assert.Contains("--lineage", Complete("status --l"));
        Assert.Contains("darts", Complete("gen-config --space "));
        Assert.Contains("spos-evolution", Complete("gen-config --strategy "));
        Assert.Equal(["test", "validation"], Complete("derive e --split ").Order());

        using var store = new TempStore();
        foreach (var name in new[] { "alpha", "beta" })
        {
            Directory.CreateDirectory(Path.Combine(store.Path, name));
            File.WriteAllText(Path.Combine(store.Path, name, "config.conf"), "");
        }
        Directory.CreateDirectory(Path.Combine(store.Path, "not-an-experiment"));
        var names = Complete($"resume --store {store.Path} ");
        Assert.Contains("alpha", names);
        Assert.Contains("beta", names);
        Assert.DoesNotContain("not-an-experiment", names);
    }

    private static string Help(params string[] command)
    {
        var output = new StringWriter();
        Assert.Equal(0, CliGrammar.Root.Parse([.. command, "--help"], CliGrammar.Parsing).Invoke(new InvocationConfiguration { Output = output }));
        return output.ToString();
    }
}
