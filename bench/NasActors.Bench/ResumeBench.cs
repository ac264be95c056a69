using System.Diagnostics;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Hosting;
using NasActors.Core.Training;

namespace NasActors.Bench;

/// <summary>
/// Resume time after kill -9 of an experiment with at least N scored candidates: a child process runs a large
/// search with an instant backend, is killed with SIGKILL once N scores are journaled, and this process then resumes
/// it and times start-up to the first work handed to a trainer.
/// </summary>
internal static class ResumeBench
{
    private const string Evo = "nas.strategies.spos-evolution.";

    private static NasSettings Settings() => BenchConfig.Load("nas.train.total-steps=20", "nas.train.steps-per-round=10",
        Evo + "population-size=100", Evo + "generations=20", Evo + "top-k=10", Evo + "mutation-count=25",
        Evo + "crossover-count=25", "nas.search.max-flops=0", "nas.spaces.spos-shufflenet.stage-depths=[4,4,4]", "nas.trainers.devices=[cpu,cpu]", "nas.trainers.intra-op-threads=1");

    private static SyntheticBackendFactory Factory(NasSettings s, string dir, TimeSpan cost) => BenchConfig.Synthetic(s, dir, cost);

    public static async Task Child(string[] args)
    {
        var store = new ExperimentStore(args[0]);
        var s = Settings();
        if (!store.Exists("resume")) store.Create("resume", "");
        var factory = Factory(s, store.CheckpointDirectory("resume"), TimeSpan.FromMilliseconds(2));
        // One line per newly scored candidate: the parent counts them and kills this process.
        var last = -1;
        var host = ExperimentHost.Start(store, "resume", s, factory, p =>
        {
            var plan = p.Status.Plan;
            if (plan.Phase == "search" && plan.Scored != last) Console.WriteLine($"search scored {last = plan.Scored}");
        });
        await host.Completion;
    }

    public static async Task Run(string[] args)
    {
        var target = args.Length > 0 ? int.Parse(args[0]) : 1000;
        var dir = BenchConfig.TempDir("resume");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(ResumeBench).Assembly.Location);
        psi.ArgumentList.Add("resume-child");
        psi.ArgumentList.Add(dir);
        using var child = Process.Start(psi)!;
        var scored = 0;
        while (scored < target && await child.StandardOutput.ReadLineAsync() is { } line)
        {
            var i = line.IndexOf("scored ", StringComparison.Ordinal);
            if (i >= 0) scored = int.Parse(line[(i + 7)..].Split(' ')[0]);
        }
        Process.Start("kill", ["-9", child.Id.ToString()])!.WaitForExit();
        await child.WaitForExitAsync();
        Console.WriteLine($"resume: child killed with SIGKILL after {scored} scored candidates");

        var s = Settings();
        var store = new ExperimentStore(dir);
        var clock = Stopwatch.StartNew();
        var start = DateTime.UtcNow;
        var factory = Factory(s, store.CheckpointDirectory("resume"), TimeSpan.Zero);
        var space = (DateTime.UtcNow - start).TotalSeconds;
        var hostStart = DateTime.UtcNow;
        var host = ExperimentHost.Start(store, "resume", s, factory);
        var first = await factory.FirstWork.Task;
        Console.WriteLine($"  start-up to first new work: {(first - start).TotalSeconds:F2} s (target <= 2 s)");
        Console.WriteLine($"    search space + cost table (TorchSharp init): {space:F2} s");
        Console.WriteLine($"    ActorSystem, SQLite plugin, journal replay (no snapshots), first dispatch: {(first - hostStart).TotalSeconds:F2} s");
        var status = (await host.Status(TimeSpan.FromSeconds(30))).Plan;
        Console.WriteLine($"  recovered: phase {status.Phase}, {status.Scored} candidates scored, generation {status.Counter("generation")?.Done}/{status.Counter("generation")?.Total}");
        await host.DisposeAsync();
        Directory.Delete(dir, true);
    }
}
