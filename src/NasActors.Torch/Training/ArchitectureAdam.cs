using NasActors.Torch.Ops;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>
/// torch.optim.Adam as DARTS steps its architecture logits (L2 weight decay added to the gradient, bias-corrected
/// moments), written out so that both moment buffers travel in the checkpoint and a resumed search steps exactly as an
/// uninterrupted one. The step count is not state: every global step makes exactly one architecture step.
/// </summary>
internal static class ArchitectureAdam
{
    /// <param name="step">1 for the first update.</param>
    public static void Step(Tensor p, Tensor g, Tensor m, Tensor v, long step, double lr, double beta1, double beta2, double weightDecay, double eps)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // Scalars held for the whole update: see TorchSupernetBackend.SgdStep (#10).
        using var wd = weightDecay.ToScalar();
        using var b1 = beta1.ToScalar();
        using var oneMinusB1 = (1 - beta1).ToScalar();
        using var b2 = beta2.ToScalar();
        using var oneMinusB2 = (1 - beta2).ToScalar();
        var bias1 = 1 - Math.Pow(beta1, step);
        var bias2 = 1 - Math.Pow(beta2, step);
        using var sqrtBias2 = Math.Sqrt(bias2).ToScalar();
        using var epsilon = eps.ToScalar();
        using var negStep = (-lr / bias1).ToScalar();
        var grad = weightDecay != 0 ? g.add(p, wd) : g;
        m.mul_(b1).add_(grad, oneMinusB1);
        v.mul_(b2).addcmul_(grad, grad, oneMinusB2);
        var denom = v.sqrt().div_(sqrtBias2).add_(epsilon, HeldScalars.One);
        p.addcdiv_(m, denom, negStep);
    }
}
