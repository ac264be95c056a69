using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Torch.Training;

namespace NasActors.Bench;

/// <summary>Settings for a benchmark: hocon/spos-fashion.conf (or another file of hocon/) plus overrides, so figures match what `./nas` runs.</summary>
internal static class BenchConfig
{
    public static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "NasActors.sln")) && !File.Exists(Path.Combine(d.FullName, "NasActors.slnx"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("run from inside the repository");
    }

    public static NasSettings Load(params string[] overrides) => LoadFile("spos-fashion.conf", overrides);

    /// <summary>hocon/<paramref name="file"/> plus overrides (key=value, as `--set` takes them).</summary>
    public static NasSettings LoadFile(string file, params string[] overrides)
    {
        var path = Path.Combine(RepoRoot(), "hocon", file);
        return NasSettings.Create(NasConfig.Load(path, overrides), path);
    }

    /// <summary>
    /// The Torch factory of the settings' space exactly as the CLI builds it (ExperimentContext.CreateFactory): the
    /// learning-rate schedule spans the steps one trainer runs, and the backend offers what the strategy needs.
    /// </summary>
    /// <param name="threads">Intra-op threads; null: the settings' own.</param>
    public static TorchSupernetFactory Factory(NasSettings s, string checkpointDirectory, int? threads = null) =>
        new(s.SpaceModule, s.SpaceSpec, s.BackendNeeds, s.Train with { TotalSteps = s.StepsPerSlot }, s.Data, checkpointDirectory, threads ?? s.EffectiveThreads,
            s.RetrainSpec);

    /// <summary>The synthetic backend over the settings' space and cost table (as the CLI builds it for nas.trainers.backend = synthetic).</summary>
    public static SyntheticBackendFactory Synthetic(NasSettings s, string checkpointDirectory, TimeSpan cost)
    {
        using var torch = new TorchSupernetFactory(s.SpaceModule, s.SpaceSpec, [], s.Train, s.Data, checkpointDirectory, 1);
        return new SyntheticBackendFactory(torch.Space, torch.Costs, cost);
    }

    public static string TempDir(string tag) => Directory.CreateTempSubdirectory("nas-bench-" + tag + "-").FullName;

    /// <summary>The 1, 5 and 15 minute load averages and the core count: figures taken under load say so.</summary>
    public static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + $" ({Environment.ProcessorCount} cores)"; }
        catch (IOException) { return "unknown"; }
    }

    public static double Rss() => Environment.WorkingSet / 1048576.0;

    /// <summary>Runs <paramref name="work"/> on a new dedicated thread (backends are thread-confined) and returns its result.</summary>
    public static T OnThread<T>(Func<T> work)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { result = work(); }
            catch (Exception ex) { error = ex; }
        });
        thread.Start();
        thread.Join();
        if (error is not null) throw new InvalidOperationException("benchmark thread failed", error);
        return result;
    }
}
