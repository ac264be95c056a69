using System.Diagnostics;
using NasActors.Core.Training;

namespace NasActors.Bench;

/// <summary>Process memory over thousands of supernet steps and candidate scores: leaked tensors show as steady growth.</summary>
internal static class MemoryBench
{
    public static void Run(string[] args)
    {
        var steps = args.Length > 0 ? int.Parse(args[0]) : 3000;
        var s = BenchConfig.Load($"nas.train.total-steps={steps}", "nas.trainers.intra-op-threads=1", "nas.trainers.devices=[cpu]",
            "nas.spaces.spos-shufflenet.stem-channels=8", "nas.spaces.spos-shufflenet.stage-channels=[16,32]", "nas.spaces.spos-shufflenet.stage-depths=[1,2]");
        var dir = BenchConfig.TempDir("mem");
        using var factory = BenchConfig.Factory(s, dir, 1);
        factory.Validate(s.Devices);
        using var backend = factory.Create("cpu");
        var trainer = backend.Capability<ISupernetTrainer>()!;
        var evaluator = backend.Capability<IArchitectureEvaluator>()!;
        Console.WriteLine($"memory: {steps} training steps in slices of 250, each followed by 5 candidate scores (small supernet)");
        Console.WriteLine("   step   RSS MiB   managed MiB");
        var clock = Stopwatch.StartNew();
        string? ckpt = null;
        var samples = new List<(int Step, double Rss)>();
        var space = factory.Space;
        var rng = NasActors.Core.Randomness.Xoshiro256.FromSeed(1);
        for (var step = 0; step < steps; step += 250)
        {
            var r = trainer.TrainSlice(new SupernetSlice(step / 250, 0, 1, ckpt, step, 250), _ => { }, default);
            ckpt = r.Checkpoint;
            for (var k = 0; k < 5; k++) evaluator.Score(space.Sample(rng), ckpt, EvalSplit.Validation, default);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var rss = BenchConfig.Rss();
            samples.Add((step + 250, rss));
            Console.WriteLine($"  {step + 250,5}   {rss,7:F1}   {GC.GetTotalMemory(true) / 1048576.0,8:F1}");
        }
        var half = samples[samples.Count / 2].Rss;
        Console.WriteLine($"  growth over the second half: {samples[^1].Rss - half:F1} MiB ({clock.Elapsed.TotalSeconds:F0} s)");
        Directory.Delete(dir, true);
    }
}
