using System.Reflection;
using System.Runtime.Loader;
using Akka.Configuration;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Runtime.Serialization;

namespace NasActors.Runtime.Configuration;

/// <summary>
/// nas.plugins: assemblies whose public <see cref="SpaceModule"/> and <see cref="StrategyModule"/> classes (with a
/// parameterless constructor) join the <see cref="Catalog"/>, and whose [Manifest] records become serializable. Loaded
/// once per process and path, into the default context (they share NasActors and TorchSharp with the host).
/// </summary>
public static class Plugins
{
    private static readonly HashSet<string> Loaded = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    /// <summary>Loads the plugins <paramref name="user"/> lists (paths relative to the config file <paramref name="source"/>).</summary>
    public static void Load(Config user, string source)
    {
        foreach (var path in Paths(user, source)) Load(path, source);
    }

    /// <summary>The full paths nas.plugins lists, resolved against the directory of the config file <paramref name="source"/>.</summary>
    public static IReadOnlyList<string> Paths(Config user, string source)
    {
        if (!user.HasPath("nas.plugins")) return [];
        var value = user.GetValue("nas.plugins");
        // Akka's HOCON calls an empty list empty and not an array; a string is a mistake worth naming.
        if (value is null || (value.IsString() && string.IsNullOrEmpty(value.GetString()) && !value.IsArray())) return [];
        if (value.IsString() && !value.IsArray())
            throw new NasUserException($"nas.plugins in {source} must be a list of assembly paths, like [\"plugins/MySpaces.dll\"]");
        var dir = File.Exists(source) ? Path.GetDirectoryName(Path.GetFullPath(source))! : Directory.GetCurrentDirectory();
        var paths = new List<string>();
        foreach (var item in value.GetArray())
        {
            var path = item.GetString();
            if (string.IsNullOrWhiteSpace(path))
                throw new NasUserException($"nas.plugins in {source} has an empty entry; list .dll paths");
            paths.Add(Path.GetFullPath(path, dir));
        }
        return paths;
    }

    /// <summary>
    /// A line that pins the plugins of <paramref name="merged"/> to full paths: the stored copy of a config lives in the
    /// store, where relative paths would point elsewhere. Empty when there are none.
    /// </summary>
    public static string PinLine(Config merged, string source)
    {
        var paths = Paths(merged, source);
        return paths.Count == 0 ? "" : "nas.plugins = [" + string.Join(", ", paths.Select(p => System.Text.Json.JsonSerializer.Serialize(p))) + "] # resolved at creation\n";
    }

    /// <summary>Loads one plugin assembly; a path loaded before is skipped.</summary>
    public static void Load(string fullPath, string source)
    {
        lock (Gate)
        {
            if (Loaded.Contains(fullPath)) return;
            if (!File.Exists(fullPath))
                throw new NasUserException($"plugin {fullPath} (nas.plugins in {source}) not found; build it (dotnet build -c Release) or fix the path, which is relative to the config file");
            Assembly assembly;
            try
            {
                assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(fullPath);
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException)
            {
                throw new NasUserException($"plugin {fullPath} (nas.plugins in {source}) is not a loadable .NET assembly: {FirstLine(e.Message)}");
            }
            Type[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException e)
            {
                var why = e.LoaderExceptions.FirstOrDefault(x => x is not null)?.Message ?? e.Message;
                throw new NasUserException($"plugin {fullPath} (nas.plugins in {source}) cannot be loaded: {FirstLine(why)}; build it against this NasActors version");
            }
            var spaces = Create<SpaceModule>(types, fullPath);
            var strategies = Create<StrategyModule>(types, fullPath);
            if (spaces.Count == 0 && strategies.Count == 0)
                throw new NasUserException($"plugin {fullPath} (nas.plugins in {source}) has no public SpaceModule or StrategyModule class with a parameterless constructor");
            try
            {
                Catalog.Register(spaces, strategies);
            }
            catch (NasUserException e)
            {
                throw new NasUserException($"plugin {fullPath} (nas.plugins in {source}): {e.Message}; rename it in the plugin or drop one of the plugins");
            }
            NasManifests.AddAssembly(assembly);
            NasConfig.ReferenceChanged();
            Loaded.Add(fullPath);
        }
    }

    private static List<T> Create<T>(IEnumerable<Type> types, string path) where T : class
    {
        var result = new List<T>();
        foreach (var t in types.Where(t => t.IsPublic && !t.IsAbstract && typeof(T).IsAssignableFrom(t)).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            if (t.GetConstructor(Type.EmptyTypes) is null) continue;
            try
            {
                result.Add((T)Activator.CreateInstance(t)!);
            }
            catch (TargetInvocationException e)
            {
                throw new NasUserException($"plugin {path}: creating {t.FullName} failed: {FirstLine(e.InnerException?.Message ?? e.Message)}");
            }
        }
        return result;
    }

    private static string FirstLine(string s)
    {
        var i = s.IndexOfAny(['\r', '\n']);
        return i < 0 ? s : s[..i];
    }
}
