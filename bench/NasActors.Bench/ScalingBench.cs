namespace NasActors.Bench;

/// <summary>Supernet images/s and candidates scored per minute with 1 and 2 CPU trainers (and 1 trainer on 2 threads).</summary>
internal static class ScalingBench
{
    public static async Task Run(string[] args)
    {
        var steps = args.Length > 0 ? int.Parse(args[0]) : 600;
        Console.WriteLine($"scaling: {steps} supernet steps in all, then one generation of 24 candidates; hocon/spos-fashion.conf otherwise");
        foreach (var (devices, threads) in new[] { ("[cpu]", 1), ("[cpu]", 2), ("[cpu, cpu]", 1) })
        {
            var s = BenchConfig.Load($"nas.train.total-steps={steps}", $"nas.trainers.devices={devices}", $"nas.trainers.intra-op-threads={threads}",
                "nas.strategies.spos-evolution.generations=1", "nas.strategies.spos-evolution.population-size=24", "nas.strategies.spos-evolution.top-k=5");
            var r = await SupernetRun.Measure(s, search: true);
            Console.WriteLine($"  devices {devices,-11} threads {threads}:  supernet {r.ImagesPerSecond,6:F0} img/s ({r.SupernetSeconds:F1} s)   search {r.CandidatesPerMinute,6:F1} candidates/min ({r.Scored} in {r.SearchSeconds:F1} s)");
        }
    }
}
