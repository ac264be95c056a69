using System.Diagnostics;
using NasActors.Core.Engine;
using NasActors.Core.OneShot;
using NasActors.Core.Training;

namespace NasActors.Bench;

/// <summary>
/// Runtime overhead: the same supernet steps through the actors (rounds, checkpoints, journal) vs a bare loop that
/// calls the training code directly for all steps in one go. One trainer, one intra-op thread, same data.
/// </summary>
internal static class OverheadBench
{
    public static async Task Run(string[] args)
    {
        var steps = args.Length > 0 ? int.Parse(args[0]) : 400;
        var s = BenchConfig.Load($"nas.train.total-steps={steps}", "nas.trainers.devices=[cpu]", "nas.trainers.intra-op-threads=1");
        Console.WriteLine($"overhead: {steps} supernet steps, batch {s.Train.BatchSize}, steps-per-round {s.Train.StepsPerRound}, 1 trainer, 1 thread");

        // Bare: the training work run directly on one dedicated thread (as a trainer runs it), no warm-up (the actor run has
        // none either), no actors, no journal, one checkpoint at the end. Run before and after the actor run, so machine drift shows.
        var bare1 = Bare(s, steps);
        var actors = await SupernetRun.Measure(s, search: false);
        var bare2 = Bare(s, steps);
        var bare = (bare1 + bare2) / 2;
        Console.WriteLine($"  bare loop runs     {bare1:F2} s and {bare2:F2} s");
        Console.WriteLine($"  bare loop          {bare,7:F2} s  ({steps * s.Train.BatchSize / bare:F0} img/s)");
        Console.WriteLine($"  through actors     {actors.SupernetSeconds,7:F2} s  ({actors.ImagesPerSecond:F0} img/s), from first step to supernet done");
        Console.WriteLine($"  actor start-up     {actors.StartupSeconds,7:F2} s  (ActorSystem, SQLite plugin, recovery, trainer thread, model build)");
        Console.WriteLine($"  ratio actors/bare  {actors.SupernetSeconds / bare,7:F3}   (target <= 1.05)");
        Console.WriteLine($"  ratio incl. start  {(actors.SupernetSeconds + actors.StartupSeconds) / bare,7:F3}");
    }

    private static double Bare(NasActors.Runtime.Configuration.NasSettings s, int steps)
    {
        var dir = BenchConfig.TempDir("bare");
        double seconds = 0;
        var thread = new Thread(() =>
        {
            using var factory = BenchConfig.Factory(s, dir, 1);
            factory.Validate(s.Devices);
            using var backend = factory.Create("cpu");
            var clock = Stopwatch.StartNew();
            // The work item a trainer runs, for all steps in one slice.
            new TrainSlice(new SupernetSlice(0, 0, 1, null, 0, steps)).Execute(new WorkContext(backend, _ => { }, default));
            seconds = clock.Elapsed.TotalSeconds;
        });
        thread.Start();
        thread.Join();
        Directory.Delete(dir, true);
        return seconds;
    }
}
