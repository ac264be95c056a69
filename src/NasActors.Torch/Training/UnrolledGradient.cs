using NasActors.Torch.Ops;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>
/// DARTS's second-order architecture gradient (Liu et al. 2019, eq. 7-8; official architect.py): the gradient of the
/// validation loss at the weights after one virtual SGD step w' = w - ξ(μ·m + ∇w L_train(w, α) + λ·w), minus ξ times
/// the Hessian-vector product ∇²_{α,w} L_train(w, α) · ∇w' L_val(w', α), the latter by central finite differences with
/// ε = 0.01 / ‖∇w' L_val‖ around the original w. The weights are restored exactly (copied back) before returning.
/// </summary>
internal static class UnrolledGradient
{
    /// <summary>The finite-difference radius before normalisation (official r = 1e-2).</summary>
    public const double Radius = 1e-2;

    /// <param name="weights">The network's weights (leaf tensors, changed in place and restored).</param>
    /// <param name="momentum">Their SGD momentum buffers (μ·m enters the virtual step as in the official code).</param>
    /// <param name="trainLoss">The training batch's loss at the current weights and <paramref name="alphas"/>.</param>
    /// <param name="validationLoss">The validation batch's loss likewise.</param>
    /// <returns>One gradient per tensor of <paramref name="alphas"/>; they belong to the caller's dispose scope.</returns>
    public static Tensor[] Compute(IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> momentum, IReadOnlyList<Tensor> alphas,
        Func<Tensor> trainLoss, Func<Tensor> validationLoss, double xi, double mu, double weightDecay)
    {
        var saved = new Tensor[weights.Count];
        using (no_grad())
            for (var i = 0; i < weights.Count; i++) saved[i] = weights[i].detach().clone();

        // The virtual step.
        var gTrain = autograd.grad([trainLoss()], [.. weights]);
        using (no_grad())
        using (var negXi = (-xi).ToScalar())
        using (var muS = mu.ToScalar())
        using (var wd = weightDecay.ToScalar())
            for (var i = 0; i < weights.Count; i++)
                weights[i].add_(momentum[i].mul(muS).add_(gTrain[i], HeldScalars.One).add_(weights[i], wd), negXi);

        // ∇α and ∇w' of the validation loss at w'.
        var all = autograd.grad([validationLoss()], [.. alphas, .. weights]);
        var dAlpha = all.Take(alphas.Count).ToArray();
        var v = all.Skip(alphas.Count).ToArray();

        // Central differences of ∇α L_train around the original w, along v.
        double vNorm;
        using (no_grad()) vNorm = stack(v.Select(t => t.norm()).ToArray()).norm().ToDouble();
        var eps = Radius / vNorm;
        Tensor[] GradAt(double r)
        {
            using (no_grad())
            using (var rs = r.ToScalar())
                for (var i = 0; i < weights.Count; i++) weights[i].copy_(saved[i]).add_(v[i], rs);
            return [.. autograd.grad([trainLoss()], [.. alphas])];
        }
        var gPlus = GradAt(eps);
        var gMinus = GradAt(-eps);
        using (no_grad())
        {
            for (var i = 0; i < weights.Count; i++) weights[i].copy_(saved[i]);
            using var scale = (-xi / (2 * eps)).ToScalar();
            return [.. dAlpha.Select((d, i) => d.add(gPlus[i].sub(gMinus[i]), scale))];
        }
    }
}
