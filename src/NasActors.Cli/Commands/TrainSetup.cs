using System.Text.Json;
using Akka.Configuration;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies.Train;
using NasActors.Runtime.Configuration;

namespace NasActors.Cli;

/// <summary>
/// What `nas train ARCH.json` starts, independent of how the command line is parsed: the experiment's config text
/// (the user's config, nas.strategy = train, the --set lines, the architecture as canonical NNI JSON and, when the
/// config does not name it, the space the dict belongs to). Every problem is one line naming it and the fix.
/// </summary>
internal static class TrainSetup
{
    /// <summary>The config text of a train experiment for <paramref name="archFile"/>; <paramref name="source"/> names the config in messages.</summary>
    public static string Compose(string archFile, string? configFile, IReadOnlyList<string> overrides, string source)
    {
        if (!File.Exists(archFile))
            throw new NasUserException($"architecture file {archFile} not found; pass the JSON dict NNI or `nas export` wrote (or a list of one, as `nas random-sample -n 1` writes)");
        var dict = NniArchitectureJson.ReadDict(File.ReadAllText(archFile), archFile);
        var fileText = configFile is null ? "" : ConfigFiles.Read(configFile);
        // The file's strategy (if any) is replaced, and its strategy sections dropped (a search's config, e.g. the default
        // job's, is what a user retrains its result with; its only train key is the architecture, written below). An
        // explicit --set nas.strategy or nas.strategies.X still wins and is refused by the settings.
        var text = NasConfig.ComposeText(fileText + "\nnas.strategies = null # nas train: the search's strategy sections do not apply\nnas.strategies {}\nnas.strategy = " + TrainModule.StrategyName + "\n", overrides);
        var userSetSpace = NasConfig.Sets(text, "nas.space");
        SearchSpace space;
        Architecture arch;
        if (userSetSpace)
        {
            var merged = NasConfig.Parse(text, source);
            var module = Catalog.Space(merged.GetString("nas.space"));
            space = SpaceOf(module, merged, source);
            try { arch = NniArchitectureJson.Parse(dict, space); }
            catch (NasUserException e) { throw Bad(archFile, e.Message, module.Name); }
        }
        else (space, arch) = Infer(dict, text, archFile, source);

        var line = "nas.strategies." + TrainModule.StrategyName + ".architecture = " + JsonSerializer.Serialize(NniArchitectureJson.ToJson(arch, space)) + "\n";
        return text + (userSetSpace ? "" : $"nas.space = {space.Name} # inferred from {Path.GetFileName(archFile)}\n") + line;
    }

    /// <summary>The one registered space the dict fits; the closest space's own complaint when none does.</summary>
    private static (SearchSpace, Architecture) Infer(JsonElement dict, string text, string archFile, string source)
    {
        // The config as written (this also loads its plugins, whose spaces then take part); its error, if no space parses.
        NasUserException? asWritten = null;
        try { NasConfig.Parse(text, source); }
        catch (NasUserException e) { asWritten = e; }
        var keys = dict.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var fits = new List<(SearchSpace Space, Architecture Arch)>();
        (string Space, int Distance, int Valid, string Why)? closest = null;
        var parsed = false;
        foreach (var module in Catalog.Spaces)
        {
            SearchSpace space;
            try
            {
                // Each space as if the config selected it: a config that sets up one space's section fits only that one.
                space = SpaceOf(module, NasConfig.Parse(text + $"\nnas.space = {module.Name}\n", source), source);
                parsed = true;
            }
            catch (NasUserException) { continue; }
            try { fits.Add((space, NniArchitectureJson.Parse(dict, space))); }
            catch (NasUserException e)
            {
                // The closest space: fewest keys the dict sets that it lacks plus keys it has that the dict does not set,
                // then most values that are candidates of their choice (DARTS and ENAS cells share their keys).
                var shared = space.Choices.Count(c => keys.Contains(c.Key));
                var distance = keys.Count - shared + space.Choices.Length - shared;
                var valid = space.Choices.Count(c => dict.TryGetProperty(c.Key, out var v)
                                                     && c.Candidates.Contains(v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()));
                if (shared > 0 && (closest is null || distance < closest.Value.Distance || (distance == closest.Value.Distance && valid > closest.Value.Valid)))
                    closest = (module.Name, distance, valid, e.Message);
            }
        }
        if (!parsed && asWritten is not null) throw asWritten;
        if (fits.Count == 1) return fits[0];
        if (fits.Count > 1)
            throw new NasUserException($"{archFile} fits several spaces ({string.Join(", ", fits.Select(f => f.Space.Name))}); choose one with --set nas.space=NAME (nothing was written)");
        if (closest is { } c) throw Bad(archFile, c.Why, c.Space);
        throw new NasUserException($"{archFile} is a dict of no known space (keys like '{keys.First()}'); registered spaces: {string.Join(", ", Catalog.Spaces.Select(s => s.Name))} — " +
                                   "a plugin's space needs its config (--config with nas.plugins and nas.space) (nothing was written)");
    }

    private static SearchSpace SpaceOf(SpaceModule module, Config merged, string source) =>
        module.CreateSpace(module.ReadSpec(NasConfig.Section(merged, "nas.spaces." + module.Name, source)));

    private static NasUserException Bad(string archFile, string why, string space)
    {
        var hint = space == Core.SearchSpaces.Darts.DartsSpace.Name
            ? $"; a DARTS cell dict sets normal/ and reduce/ op_i_j (one of {string.Join(", ", Core.SearchSpaces.Darts.DartsSpace.Ops)}) and input_i_j (0..i-1) for i in 2..5, j in 0..1"
            : "; fix the dict (`nas export` writes valid ones) or pick its space with --set nas.space=NAME";
        return new NasUserException($"{archFile} is not an architecture of space {space}: {why}{hint} (nothing was written)");
    }
}
