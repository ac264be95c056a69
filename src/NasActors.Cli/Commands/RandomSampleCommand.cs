using System.Globalization;
using System.Text;
using System.Text.Json;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Runtime.Configuration;

namespace NasActors.Cli;

/// <summary>
/// `nas random-sample --space S -n K [--config FILE] [--seed N] [--out FILE]` (aw_nas's `random-sample`): K distinct
/// architectures drawn uniformly from space S (its section as FILE or the defaults give it), as a JSON list of NNI dicts.
/// Seeded, so the same command writes the same file. FLOPs/params limits are not applied (they need the network built).
/// </summary>
internal static class RandomSampleCommand
{
    public static Task<int> Run(CliArgs a)
    {
        if (a.Positional.Length > 0) throw new NasUserException($"`nas random-sample` takes no positional arguments (got '{a.Positional[0]}')");
        var spaceName = a.Option("--space") ?? throw new NasUserException("`nas random-sample` needs --space (`nas registry` lists them)");
        var n = a.CountIfGiven("-n") ?? throw new NasUserException("`nas random-sample` needs -n K, the number of architectures");
        var seed = a.Seed();
        var configPath = a.Option("--config");
        if (configPath is not null && !File.Exists(configPath))
            throw new NasUserException($"config file {configPath} not found");
        Catalog.Space(spaceName); // an unknown name is one line naming the known ones
        var text = NasConfig.ComposeText(configPath is null ? null : ConfigFiles.Read(configPath), [$"nas.space = {spaceName}"]);
        var settings = NasSettings.Create(NasConfig.Parse(text, configPath ?? "the defaults"), configPath ?? "the defaults");
        var space = settings.SpaceModule.CreateSpace(settings.SpaceSpec);
        if (space.Size < n)
            throw new NasUserException(string.Create(CultureInfo.InvariantCulture, $"space {spaceName} has only {space.Size:N0} architectures; ask for at most that many with -n"));

        var archs = Distinct(space, n, seed);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var arch in archs) NniArchitectureJson.Write(w, arch, space);
            w.WriteEndArray();
        }
        var json = Encoding.UTF8.GetString(ms.ToArray()) + "\n";
        var outPath = a.Option("--out");
        if (outPath is null)
        {
            Console.Out.Write(json);
            return Task.FromResult(0);
        }
        if (OutputFile.Write(outPath, json, refuseExistingFile: false)) return Task.FromResult(0);
        Console.WriteLine($"wrote {n} random architectures of {space.Name} to {Path.GetFullPath(outPath)}");
        return Task.FromResult(0);
    }

    /// <summary><paramref name="n"/> distinct architectures of <paramref name="space"/> drawn uniformly from a stream seeded with <paramref name="seed"/>.</summary>
    internal static List<Architecture> Distinct(SearchSpace space, int n, long seed)
    {
        var rng = Xoshiro256.FromSeed(seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var archs = new List<Architecture>();
        while (archs.Count < n)
        {
            var arch = space.Sample(rng);
            if (seen.Add(arch.CanonicalKey)) archs.Add(arch);
        }
        return archs;
    }
}
