using NasActors.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Tests.Training;

public class UnrolledGradientTests
{
    /// <summary>
    /// A tiny relaxed model in float64: two candidate ops (a linear map, and tanh of another) mixed by the softmax of
    /// one logit pair, then a linear head. Written functionally so the exact second-order gradient can be taken through
    /// the virtual step with double backward.
    /// </summary>
    private static Tensor Forward(Tensor x, IReadOnlyList<Tensor> w, Tensor alpha)
    {
        var mix = alpha.softmax(0);
        var a = x.matmul(w[0]);
        var b = x.matmul(w[1]).tanh();
        return (a * mix[0] + b * mix[1]).matmul(w[2]);
    }

    private static Tensor Loss(Tensor x, Tensor y, IReadOnlyList<Tensor> w, Tensor alpha) => nn.functional.cross_entropy(Forward(x, w, alpha), y);

    [Fact]
    public void Unrolled_gradient_must_match_double_backward_through_the_virtual_step()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(17);
        Tensor R(params long[] shape) => randn(shape, ScalarType.Float64, generator: g);
        var weights = new[] { R(5, 4).mul(0.5).requires_grad_(true), R(5, 4).mul(0.5).requires_grad_(true), R(4, 3).mul(0.5).requires_grad_(true) };
        var momentum = new[] { R(5, 4).mul(0.1), R(5, 4).mul(0.1), R(4, 3).mul(0.1) };
        var alpha = R(2).mul(0.3).requires_grad_(true);
        var (xt, yt) = (R(8, 5), randint(0, 3, [8], generator: g));
        var (xv, yv) = (R(8, 5), randint(0, 3, [8], generator: g));
        const double xi = 0.1, mu = 0.9, wd = 3e-3;

        var approx = UnrolledGradient.Compute(weights, momentum, [alpha], () => Loss(xt, yt, weights, alpha), () => Loss(xv, yv, weights, alpha), xi, mu, wd)[0];

        // Exact: w'(α) = w - ξ(μ·m + ∇w L_train(w, α) + λ·w) with the graph kept, then d/dα L_val(w'(α), α).
        var gTrain = autograd.grad([Loss(xt, yt, weights, alpha)], weights, retain_graph: true, create_graph: true);
        var unrolled = weights.Select((w, i) => w - xi * (momentum[i] * mu + gTrain[i] + w * wd)).ToArray();
        var exact = autograd.grad([Loss(xv, yv, unrolled, alpha)], [alpha])[0];
        // The direct term alone, to show the second-order term matters here.
        var direct = autograd.grad([Loss(xv, yv, unrolled.Select(u => u.detach()).ToArray(), alpha)], [alpha])[0];

        var err = (approx - exact).norm().item<double>();
        var scale = exact.norm().item<double>();
        var secondOrder = (exact - direct).norm().item<double>();
        Assert.True(secondOrder > 1e-3 * scale, $"the second-order term is negligible ({secondOrder} vs {scale}): the test would not tell");
        Assert.True(err < 1e-3 * secondOrder, $"finite differences {approx.str()} vs double backward {exact.str()}: error {err}, second-order term {secondOrder}");
    }

    [Fact]
    public void Unrolled_gradient_must_leave_the_weights_as_they_were()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        var weights = new[] { randn([5, 4], ScalarType.Float32, generator: g).requires_grad_(true), randn([5, 4], generator: g).requires_grad_(true), randn([4, 3], generator: g).requires_grad_(true) };
        var before = weights.Select(w => w.detach().clone()).ToArray();
        var momentum = weights.Select(w => ones_like(w)).ToArray();
        var alpha = zeros(2).requires_grad_(true);
        var (x, y) = (randn([8, 5], generator: g), randint(0, 3, [8], generator: g));

        UnrolledGradient.Compute(weights, momentum, [alpha], () => Loss(x, y, weights, alpha), () => Loss(x, y, weights, alpha), 0.5, 0.9, 1e-2);

        for (var i = 0; i < weights.Length; i++) Assert.True(weights[i].detach().eq(before[i]).all().item<bool>(), $"weight {i} changed");
    }
}
