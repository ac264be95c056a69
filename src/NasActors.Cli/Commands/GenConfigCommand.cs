using System.Text;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Runtime.Configuration;

namespace NasActors.Cli;

/// <summary>
/// `nas gen-config --space S --strategy T [--out FILE]`: a complete, commented config for one pair (aw_nas's
/// `gen-sample-config`): every common key with its default and comment, and the pair's own sections. It is checked the
/// way `nas search` checks a config before it is written, so it runs as written.
/// </summary>
internal static class GenConfigCommand
{
    public static Task<int> Run(CliArgs a)
    {
        if (a.Positional.Length > 0) throw new NasUserException($"`nas gen-config` takes no positional arguments (got '{a.Positional[0]}')");
        var space = Catalog.Space(a.Option("--space") ?? throw new NasUserException("`nas gen-config` needs --space (`nas registry` lists them)"));
        var strategy = Catalog.Strategy(a.Option("--strategy") ?? throw new NasUserException("`nas gen-config` needs --strategy (`nas registry` lists them)"));
        var text = Render(space, strategy);
        // The same checks as `nas search` (pair, values): what is written runs.
        NasSettings.Create(NasConfig.Parse(text, "the generated config"), "the generated config");
        var outPath = a.Option("--out");
        if (outPath is null)
        {
            Console.Out.Write(text);
            return Task.FromResult(0);
        }
        // An existing file is refused; a device or pipe is written into, a symbolic link refused (see OutputFile).
        if (OutputFile.Write(outPath, text, refuseExistingFile: true)) return Task.FromResult(0);
        var full = Path.GetFullPath(outPath);
        Console.WriteLine($"wrote a config for {strategy.Name} on {space.Name} to {full}; run it with: nas search --config {outPath}");
        return Task.FromResult(0);
    }

    public static string Render(SpaceModule space, StrategyModule strategy)
    {
        var reference = NasConfig.BaseReferenceText.ReplaceLineEndings("\n");
        // Select the pair (reference.conf's defaults name one pair; exactly one line each).
        var lines = reference.Split('\n').Select(l => l.TrimStart() switch
        {
            var t when t.StartsWith("space = ", StringComparison.Ordinal) => "  space = " + space.Name,
            var t when t.StartsWith("strategy = ", StringComparison.Ordinal) => "  strategy = " + strategy.Name,
            _ => l,
        });
        var sb = new StringBuilder();
        sb.Append($"# {strategy.Name} on {space.Name}: written by `nas gen-config --space {space.Name} --strategy {strategy.Name}`.\n");
        sb.Append($"# {strategy.Name}: {strategy.Description}\n# {space.Name}: {space.Description}\n");
        sb.Append("# Every key is shown with its default; delete what you do not change (defaults: docs/CONFIG.md).\n");
        foreach (var l in lines)
            if (!l.StartsWith("# NasActors reference configuration", StringComparison.Ordinal) && !l.StartsWith("# Experiment files", StringComparison.Ordinal))
                sb.Append(l).Append('\n');
        sb.Append(NasConfig.ModuleSections([(space.Name, space.ConfigSection)], [(strategy.Name, strategy.ConfigSection)]));
        return sb.ToString();
    }
}
