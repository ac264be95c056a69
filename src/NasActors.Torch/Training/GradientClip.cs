using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>torch.nn.utils.clip_grad_norm_ (global L2 norm, coefficient max / (norm + 1e-6) when above), with held Scalars.</summary>
internal static class GradientClip
{
    /// <summary>Scales <paramref name="grads"/> in place so that their global norm is at most <paramref name="max"/>; returns the norm before.</summary>
    public static double ClipGlobalNorm(IReadOnlyList<Tensor> grads, double max)
    {
        if (grads.Count == 0) return 0;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var norm = stack(grads.Select(g => g.norm()).ToArray()).norm().ToDouble();
        var coef = max / (norm + 1e-6);
        if (max > 0 && coef < 1)
        {
            using var c = coef.ToScalar();
            foreach (var g in grads) g.mul_(c);
        }
        return norm;
    }
}
