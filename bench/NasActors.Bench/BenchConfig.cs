using NasActors.Runtime.Configuration;

namespace NasActors.Bench;

/// <summary>Settings for a benchmark: hocon/spos-fashion.conf plus overrides, so figures match what `./nas` runs.</summary>
internal static class BenchConfig
{
    public static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "NasActors.slnx"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("run from inside the repository");
    }

    public static NasSettings Load(params string[] overrides)
    {
        var path = Path.Combine(RepoRoot(), "hocon", "spos-fashion.conf");
        return NasSettings.Create(NasConfig.Load(path, overrides), path);
    }

    public static string TempDir(string tag) => Directory.CreateTempSubdirectory("nas-bench-" + tag + "-").FullName;

    public static double Rss() => Environment.WorkingSet / 1048576.0;
}
