using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Parsing;
using System.Globalization;
using NasActors.Core.Engine;

namespace NasActors.Cli;

/// <summary>
/// The command line's grammar on System.CommandLine: every command, option, value type and default in one place, from
/// which the library parses, writes `nas --help` / `nas COMMAND --help` and answers shell completion ([suggest]).
/// </summary>
internal static class CliGrammar
{
    public static RootCommand Root { get; } = Build();

    /// <summary>No response files: an argument that starts with '@' is a value, not a file to expand.</summary>
    public static ParserConfiguration Parsing { get; } = new() { ResponseFileTokenReplacer = null };

    /// <summary>The help's width when output is not a terminal (a pipe, a file, a CI log).</summary>
    public const int RedirectedHelpWidth = 100;

    private static RootCommand Build()
    {
        var root = new RootCommand("""
            nas: neural architecture search on Akka.NET and TorchSharp.
            With no command, runs the default job: SPOS evolution on Fashion-MNIST (hocon/spos-fashion.conf), then the best
            architecture retrained and saved. The store defaults to ./experiments (or $NAS_STORE).
            Exit codes: 0 done, 2 user error (one line on stderr), 1 internal failure.
            """);

        root.Add(Verb("search", """
            Start an experiment and run it to its end here (live view on a terminal; TensorBoard files in STORE/NAME/tb/),
            or on a running cluster with --cluster. Other pairs: `nas gen-config`, then --config.
            """, null,
            Text("--config", "FILE", "the experiment's HOCON config [default: hocon/spos-fashion.conf]"),
            Text("--name", "NAME", "the experiment's name [default: STRATEGY-yyyyMMdd-HHmmss]"),
            Store(), Set(), Quiet(),
            Switch("--cluster", "submit to a running cluster instead of running here"),
            Text("--seeds", "HOST:PORT,..", "the cluster's seed nodes (with --cluster)"),
            Text("--node-config", "FILE", "this submitting node's cluster settings (with --cluster)")));
        root.Add(Verb("train", """
            Train one architecture (NNI dict, a list of one, or a `nas export` file) from scratch, resumably:
            test accuracy, size and the saved model.
            """, "ARCH.json",
            Text("--config", "FILE", "a config whose nas.retrain and nas.data apply [default: the reference settings]"),
            Text("--name", "NAME", "the experiment's name [default: train-yyyyMMdd-HHmmss]"),
            Store(), Set(), Quiet()));
        root.Add(Verb("resume", "Continue an interrupted experiment from its journal: the same result as an uninterrupted run.", "NAME",
            Store(), Quiet()));
        root.Add(Verb("status", "List the store's experiments, or one experiment's phase, progress and best.", "NAME",
            Store(), Switch("--lineage", "where the best architecture came from: parents, mutation or crossover, generation, checkpoint")));
        root.Add(Verb("export", "An experiment's top architectures as NNI-style JSON with their metrics.", "NAME",
            Store(), Count("--top", "the K best [default: all]", null), Text("--out", "FILE", "write here [default: standard output]")));
        root.Add(Verb("report", "The experiment as one self-contained HTML page: config, result, plots, lineage, diagrams.", "NAME",
            Store(), Text("--out", "FILE", "write here [default: NAME.html]")));
        root.Add(Verb("registry", "List every registered space, strategy and dataset (and a config's plugins).", null,
            Text("--config", "FILE", "also load this config's plugins (nas.plugins)")));
        root.Add(Verb("gen-config", "A complete, commented config for one space/strategy pair.", null,
            Named("--space", "S", "the search space (`nas registry` lists them)", () => Catalog.Spaces.Select(s => s.Name)),
            Named("--strategy", "T", "the strategy", () => Catalog.Strategies.Select(s => s.Name)),
            Text("--out", "FILE", "write here [default: standard output]")));
        root.Add(Verb("random-sample", "K distinct random architectures of a space as NNI dicts (a JSON list).", null,
            Named("--space", "S", "the search space (`nas registry` lists them)", () => Catalog.Spaces.Select(s => s.Name)),
            Count("-n", "how many architectures", null),
            Text("--config", "FILE", "a config whose nas.spaces settings (and plugins) apply"),
            Seed("the sampler's seed", 0),
            Text("--out", "FILE", "write here [default: standard output]")));
        root.Add(Verb("eval-arch", "Score given architectures (NNI dicts, a list, or an export) with the shared weights.",
            "NAME ARCHS.json", Split("--split", "validation", "validation", "test"), Store(), Text("--out", "FILE", "also write them, scored, as JSON")));
        root.Add(Verb("derive", """
            K architectures from an experiment's strategy as it stands (population, policy or architecture weights),
            scored with the shared weights.
            """, "NAME",
            Count("-n", "how many architectures", 10), Seed("the sampling seed [default: the experiment's seed]", null),
            Split("--split", "validation", "validation", "test"), Store(), Text("--out", "FILE", "also write them, scored, as JSON")));
        root.Add(Verb("rank-check", """
            Does the supernet rank architectures as training does? K random ones, shared-weight score vs E epochs
            alone: Kendall's tau and Spearman's rho.
            """, "NAME",
            Count("-n", "how many architectures", 20), Count("--epochs", "standalone training epochs of each", 1),
            Seed("the sampling seed [default: the experiment's seed]", null), Store(), Text("--out", "FILE", "also write the table as JSON")));
        root.Add(Verb("evaluate", "A saved model's (STORE/NAME/model) accuracy and confusion matrix.", "MODEL",
            Split("--data", "test", "test", "validation")));
        root.Add(Verb("predict", "The K most probable classes of each image (an IDX file, .gz or not, or a folder of PNGs).", "MODEL IMAGES",
            Count("--top", "classes per image", 1)));
        root.Add(Verb("draw", "A DARTS architecture's normal and reduction cells as Graphviz DOT, SVG and PNG.", "ARCH.json",
            Text("--out", "DIR", "write the files here [default: .]")));
        root.Add(Verb("node", "Run one cluster node (see cluster/README.md).", null,
            Text("--role", "controller|trainer[,..]", "this node's roles"),
            Text("--seeds", "HOST:PORT,..", "the cluster's seed nodes"),
            Text("--host", "H", "the address other nodes reach this one at"),
            Text("--port", "P", "the port to listen on"),
            Text("--devices", "cpu,cuda:0,..", "one trainer per device listed"),
            Store(),
            Text("--journal", "sqlite|postgres", "where the controller journals experiments"),
            Text("--config", "FILE", "the node's cluster settings (nas.cluster)"),
            Set("cluster.key=value", "override one nas.cluster setting (repeatable)"),
            Switch("--allow-insecure", "allow an unencrypted cluster transport")));
        var help = new Command("help", "Show the commands, or one command's options and defaults.");
        help.Add(new Argument<string[]>("COMMAND") { Arity = ArgumentArity.ZeroOrMore });
        root.Add(help);
        // Without a terminal the library takes the width as unlimited: one line per description in a pipe or a log.
        if (Console.IsOutputRedirected && root.Options.OfType<System.CommandLine.Help.HelpOption>().Single().Action is System.CommandLine.Help.HelpAction h)
            h.MaxWidth = RedirectedHelpWidth;
        return root;
    }

    /// <summary>
    /// A command whose positional arguments (<paramref name="positional"/>, null for none) are collected as they come:
    /// the command itself checks their number, so its message can say what to type (e.g. "name it with --name X").
    /// </summary>
    private static Command Verb(string name, string description, string? positional, params Option[] options)
    {
        var command = new Command(name, description.ReplaceLineEndings(" ").Trim());
        var argument = new Argument<string[]>(positional ?? "ARGS") { HelpName = positional, Arity = ArgumentArity.ZeroOrMore, Hidden = positional is null };
        if (positional?.StartsWith("NAME", StringComparison.Ordinal) == true) argument.CompletionSources.Add(ExperimentNames);
        command.Add(argument);
        foreach (var o in options) command.Add(o);
        return command;
    }

    /// <summary>Completes an experiment name from the store that --store (or its default) names.</summary>
    private static IEnumerable<CompletionItem> ExperimentNames(CompletionContext context)
    {
        var option = context.ParseResult.CommandResult.Command.Options.OfType<Option<string>>().FirstOrDefault(o => o.Name == "--store");
        var store = new Runtime.Hosting.ExperimentStore((option is null ? null : context.ParseResult.GetValue(option)) ?? "experiments");
        try { return store.List().Select(name => new CompletionItem(name)); }
        catch (IOException) { return []; } // an unreadable store completes nothing
        catch (UnauthorizedAccessException) { return []; }
    }

    private static Option<string> Text(string name, string helpName, string description) =>
        new(name) { HelpName = helpName, Description = description };

    private static Option<string> Store()
    {
        var o = Text("--store", "DIR", "the experiment store");
        o.DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NAS_STORE") ?? "experiments";
        return o;
    }

    private static Option<string[]> Set(string helpName = "key=value", string description = "override one config setting (repeatable)") =>
        new("--set") { HelpName = helpName, Description = description, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };

    private static Option<bool> Quiet() => Switch("--quiet", "print only the result");

    private static Option<bool> Switch(string name, string description) => new(name) { Description = description };

    /// <summary>A text option whose values the shell may complete from <paramref name="names"/> (registered spaces...).</summary>
    private static Option<string> Named(string name, string helpName, string description, Func<IEnumerable<string>> names)
    {
        var o = Text(name, helpName, description);
        o.CompletionSources.Add(_ => names().Select(n => new CompletionItem(n)));
        return o;
    }

    /// <summary>A positive whole number; <paramref name="fallback"/> (shown in help) when absent, or none.</summary>
    private static Option<int> Count(string name, string description, int? fallback)
    {
        var o = new Option<int>(name) { HelpName = name == "--epochs" ? "E" : "K", Description = description };
        if (fallback is { } f) o.DefaultValueFactory = _ => f;
        o.CustomParser = r =>
        {
            var text = r.Tokens[0].Value;
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1) return v;
            r.AddError($"{name} {text} is not a positive whole number");
            return 0;
        };
        return o;
    }

    private static Option<long> Seed(string description, long? fallback)
    {
        var o = new Option<long>("--seed") { HelpName = "N", Description = description };
        if (fallback is { } f) o.DefaultValueFactory = _ => f;
        o.CustomParser = r =>
        {
            var text = r.Tokens[0].Value;
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)) return v;
            r.AddError($"--seed {text} is not an integer");
            return 0;
        };
        return o;
    }

    /// <summary>One of <paramref name="values"/> (a data split), completed by the shell; others are refused naming them.</summary>
    private static Option<string> Split(string name, string fallback, params string[] values)
    {
        var o = new Option<string>(name) { HelpName = string.Join('|', values), Description = "the data split", DefaultValueFactory = _ => fallback };
        o.CustomParser = r =>
        {
            var text = r.Tokens[0].Value;
            if (values.Contains(text)) return text;
            r.AddError($"{name} {text} is not a split; use {string.Join(" or ", values)}");
            return fallback;
        };
        o.CompletionSources.Add(values);
        return o;
    }
}
