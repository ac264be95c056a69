using NasActors.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Tests.Training;

public class ArchitectureAdamTests
{
    [Fact]
    public void ArchitectureAdam_must_step_as_torch_optim_Adam_with_DARTS_settings()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(5);
        var start = randn([14, 8], generator: g).mul(1e-3);
        var ours = start.clone();
        var theirs = new TorchSharp.Modules.Parameter(start.clone());
        var (m, v) = (zeros_like(start), zeros_like(start));
        var adam = optim.Adam([theirs], lr: 3e-4, beta1: 0.5, beta2: 0.999, weight_decay: 1e-3);
        for (var step = 1; step <= 5; step++)
        {
            var grad = randn([14, 8], generator: g);
            ArchitectureAdam.Step(ours, grad, m, v, step, 3e-4, 0.5, 0.999, 1e-3, 1e-8);
            adam.zero_grad();
            theirs.grad = grad.clone();
            adam.step();
        }
        var diff = (ours - theirs.detach()).abs().max().item<float>();
        Assert.True(diff < 1e-7, $"ours and torch's Adam differ by {diff}");
        Assert.False(ours.eq(start).all().item<bool>(), "Adam did not move the logits");
    }

    [Fact]
    public void GradientClip_must_scale_to_the_max_norm_and_leave_small_gradients()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 3, 0 });
        var b = tensor(new float[] { 0, 4 });
        var norm = GradientClip.ClipGlobalNorm([a, b], 1.0);
        Assert.Equal(5.0, norm, 5);
        Assert.Equal(1.0, stack([a.norm(), b.norm()]).norm().item<float>(), 4);
        var c = tensor(new float[] { 0.3f, 0.4f });
        GradientClip.ClipGlobalNorm([c], 1.0);
        Assert.True(c.eq(tensor(new float[] { 0.3f, 0.4f })).all().item<bool>());
    }
}
