using NasActors.Core.Randomness;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>
/// Fresh supernet weights (any module, parameters in registration order) drawn in C# from xoshiro256** instead of
/// libtorch's global generator: the global generator is shared by every trainer thread of the process, and these values
/// use only exact arithmetic (and a correctly rounded sqrt), so they are bit-identical on every machine. Conv weights: He-uniform U(±sqrt(6/fan_in));
/// linear weight: U(±1/sqrt(fan_in)) (PyTorch's default); BN weight 1, every bias 0; BN statistics reset.
/// </summary>
internal static class WeightInit
{
    public static void Apply(nn.Module net, long seed)
    {
        var rng = Xoshiro256.FromSeed(Xoshiro256.Derive(seed, StreamTags.WeightInit));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in net.named_parameters())
        {
            var n = checked((int)p.numel());
            var values = new float[n];
            if (p.dim() > 1)
            {
                var fanIn = (double)(n / p.shape[0]);
                var bound = p.dim() == 4 ? Math.Sqrt(6.0 / fanIn) : 1.0 / Math.Sqrt(fanIn);
                for (var i = 0; i < n; i++) values[i] = (float)(bound * (2.0 * rng.NextDouble() - 1.0));
            }
            else if (name.EndsWith(".weight", StringComparison.Ordinal))
            {
                Array.Fill(values, 1f); // BN scale
            }
            p.copy_(torch.tensor(values, p.shape).to(p.device));
        }
        foreach (var bn in net.modules().OfType<BatchNorm>()) ResetStatistics(bn);
    }

    /// <summary>Running mean 0, variance 1, batch count 0: what a new BN layer starts with.</summary>
    public static void ResetStatistics(BatchNorm bn)
    {
        using var scope = torch.NewDisposeScope(); // in-place ops hand back new wrappers
        using var noGrad = torch.no_grad();
        bn.running_mean!.zero_();
        using var one = 1.ToScalar(); // held during the call (an implicit temporary can be finalized mid-call, #10)
        bn.running_var!.fill_(one);
        bn.num_batches_tracked!.zero_();
    }
}
