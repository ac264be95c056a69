using System.Diagnostics;
using NasActors.Core.Engine;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Torch.Mutables;
using NasActors.Torch.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Bench;

/// <summary>
/// The generic space path on the default configs' supernets (hocon/spos-fashion.conf, hocon/enas-fashion.conf), 1 thread:
/// reading the space from the model (ModelSpace.Create), the dry-run checks and cost model (CheckAndCount, once per
/// factory), and training steps (forward + backward, batch 64) on one sampled path through ModelSpace.Forward, which
/// validates the architecture and sets every mutable on each call, against calling the model with the mutables already
/// set: the difference is what the generic path adds per step. Alternating blocks, medians.
/// </summary>
internal static class SpacesBench
{
    public static void Run(string[] args)
    {
        var steps = args.Length > 0 ? int.Parse(args[0]) : 40;
        Console.WriteLine($"spaces: {steps} steps per block, 5 blocks each way, batch 64, 1 thread; load average at start: {BenchConfig.LoadAverage()}");
        foreach (var file in new[] { "spos-fashion.conf", "enas-fashion.conf" })
            BenchConfig.OnThread(() =>
            {
                torch.set_num_threads(1);
                var s = BenchConfig.LoadFile(file);
                var module = Catalog.Space(s.SpaceName);
                var clock = Stopwatch.StartNew();
                using var model = SupernetCatalog.Create(module, s.SpaceSpec);
                var create = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                var costs = model.CheckAndCount();
                var check = clock.Elapsed.TotalMilliseconds;
                Console.WriteLine($"  {s.SpaceName}: {model.Space.Choices.Length} choices; read from the model in {create:F0} ms; " +
                                  $"checks + cost model ({costs.GetType().Name}) in {check:F0} ms");
                var arch = model.Space.Sample(Xoshiro256.FromSeed(1));
                using var x = torch.randn(64, 1, 28, 28);
                using var y = torch.randint(0, 10, [64]);
                double Block(bool generic)
                {
                    var t = Stopwatch.StartNew();
                    for (var k = 0; k < steps; k++)
                    {
                        using var scope = torch.NewDisposeScope();
                        model.Model.zero_grad(true);
                        Tensor logits;
                        if (generic) logits = model.Forward(x, arch);
                        else logits = model.Model.call(x); // the mutables stay as Activate set them
                        nn.functional.cross_entropy(logits, y).backward();
                    }
                    return steps * 64 / t.Elapsed.TotalSeconds;
                }
                model.Activate(arch);
                Block(false); // warm-up
                var g = new List<double>();
                var d = new List<double>();
                for (var i = 0; i < 5; i++)
                {
                    g.Add(Block(true));
                    d.Add(Block(false));
                }
                Console.WriteLine($"    training steps on one path: {Median(g),6:F0} img/s through ModelSpace.Forward, {Median(d),6:F0} img/s calling the set model " +
                                  $"({(Median(g) / Median(d) - 1) * 100:+0.0;-0.0} %)");
                return 0;
            });
    }

    private static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s[s.Length / 2];
    }
}
