using NasActors.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Mutables;

/// <summary>
/// Dropout whose masks come from its own generator, seeded by the trainer before every step from the experiment's seed,
/// the step and the slot: libtorch's nn.Dropout draws from a process-wide generator that every trainer thread shares,
/// which would make results depend on timing. The rate may be searched (<see cref="ValueChoice{T}"/> of doubles).
/// Inactive in eval mode. Outside a trainer (no seed given) it starts from seed 0.
/// </summary>
public sealed class SeededDropout : nn.Module<Tensor, Tensor>, ISeeded
{
    private readonly ValueChoice<double>? rate;
    private readonly double _rate;
    private readonly torch.Generator _generator = new(0);

    public SeededDropout(double rate) : base(nameof(SeededDropout))
    {
        if (!(rate >= 0 && rate < 1)) throw new NasUserException($"SeededDropout rate {rate} must be in [0, 1)");
        _rate = rate;
        RegisterComponents();
    }

    /// <summary>A searched rate; <paramref name="rate"/> becomes a submodule, so an unlabelled one is keyed by this module's path + ".rate".</summary>
    public SeededDropout(ValueChoice<double> rate) : base(nameof(SeededDropout))
    {
        if (rate.Values.Any(r => !(r >= 0 && r < 1))) throw new NasUserException($"SeededDropout rates must be in [0, 1): {string.Join(", ", rate.Values)}");
        this.rate = rate;
        RegisterComponents();
    }

    public double Rate => rate?.Value ?? _rate;

    public override Tensor forward(Tensor x)
    {
        var p = Rate;
        if (!training || p == 0) return x;
        using var rate = p.ToScalar(); // held during the calls (see HeldScalars)
        using var kept = (1 - p).ToScalar();
        using var keep = torch.rand(x.shape, generator: _generator, device: x.device).ge_(rate);
        return x.mul(keep).div(kept);
    }

    void ISeeded.Seed(long seed) => _generator.manual_seed(seed);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _generator.Dispose();
        base.Dispose(disposing);
    }
}
