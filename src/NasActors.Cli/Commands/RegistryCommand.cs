using NasActors.Core.Engine;

namespace NasActors.Cli;

/// <summary>`nas registry`: every registered space, strategy and dataset, one line each (aw_nas's `awnas registry`).</summary>
internal static class RegistryCommand
{
    public static Task<int> Run(CliArgs a)
    {
        if (a.Positional.Length > 0) throw new Core.NasUserException($"`nas registry` takes no arguments (got '{a.Positional[0]}')");
        // With a config, its plugins (nas.plugins) are listed too.
        if (a.Option("--config") is { } config) Runtime.Configuration.NasConfig.Load(config, []);
        Console.WriteLine("spaces (nas.space; settings in nas.spaces.NAME):");
        foreach (var s in Catalog.Spaces) Console.WriteLine($"  {s.Name,-24} {s.Description}");
        Console.WriteLine("strategies (nas.strategy; settings in nas.strategies.NAME):");
        foreach (var s in Catalog.Strategies)
        {
            var spaces = Catalog.Spaces.Where(sp => s.Incompatibility(sp, sp.Traits(Default(sp))) is null).Select(sp => sp.Name);
            Console.WriteLine($"  {s.Name,-24} {s.Description}; searches: {string.Join(", ", spaces)}");
        }
        Console.WriteLine("datasets:");
        foreach (var d in Catalog.Datasets) Console.WriteLine($"  {d.Name,-24} {d.Description}");
        Console.WriteLine("write a sample config for a pair with: nas gen-config --space SPACE --strategy STRATEGY [--out FILE]");
        return Task.FromResult(0);
    }

    /// <summary>The space's spec with its defaults (compatibility is judged on the space as registered).</summary>
    private static object Default(SpaceModule space)
    {
        var config = Runtime.Configuration.NasConfig.Reference;
        return space.ReadSpec(Runtime.Configuration.NasConfig.Section(config, "nas.spaces." + space.Name, "reference.conf"));
    }
}
