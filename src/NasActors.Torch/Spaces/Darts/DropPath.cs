using NasActors.Core.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces.Darts;

/// <summary>
/// DARTS's drop_path (official utils.py): each sample's op output is zeroed with probability p, and kept outputs are
/// divided by 1 - p. The per-sample draws come from a seeded xoshiro stream (not libtorch's global generator), so a
/// batch's masks are the same on any trainer. Shared by a network's cells; set per epoch and seeded per batch.
/// </summary>
internal sealed class DropPath
{
    private Xoshiro256? _rng;

    public double Probability { get; set; }

    public void Seed(long seed) => _rng = Xoshiro256.FromSeed(seed);

    /// <summary><paramref name="x"/> [B, ...] with whole samples dropped; unchanged when the probability is 0.</summary>
    public Tensor Apply(Tensor x)
    {
        if (Probability <= 0) return x;
        var rng = _rng ?? throw new InvalidOperationException("drop path is on but was not seeded for this batch");
        var keep = 1.0 - Probability;
        var n = (int)x.shape[0];
        var mask = new float[n];
        for (var i = 0; i < n; i++) mask[i] = rng.NextDouble() < keep ? 1f : 0f;
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = n;
        using var scale = keep.ToScalar(); // held during the call (an implicit temporary can be finalized mid-call)
        return x.div(scale).mul(torch.tensor(mask, shape).to(x.device));
    }
}
