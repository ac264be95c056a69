using NasActors.Torch.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces.Darts;

/// <summary>
/// DARTS's SepConv: two stacked ReLU → depthwise k×k conv → pointwise 1x1 conv → BN; only the first depthwise conv has
/// the stride (official operations.py).
/// </summary>
internal sealed class SepConv : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d dw1;
    private readonly Conv2d pw1;
    private readonly SafeBatchNorm2d bn1;
    private readonly Conv2d dw2;
    private readonly Conv2d pw2;
    private readonly SafeBatchNorm2d bn2;

    public SepConv(int channels, int kernel, int stride, bool affine) : base(nameof(SepConv))
    {
        var padding = kernel / 2;
        dw1 = nn.Conv2d(channels, channels, kernel, stride: stride, padding: padding, groups: channels, bias: false);
        pw1 = nn.Conv2d(channels, channels, 1, bias: false);
        bn1 = new SafeBatchNorm2d(channels, affine: affine);
        dw2 = nn.Conv2d(channels, channels, kernel, stride: 1, padding: padding, groups: channels, bias: false);
        pw2 = nn.Conv2d(channels, channels, 1, bias: false);
        bn2 = new SafeBatchNorm2d(channels, affine: affine);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = bn1.call(pw1.call(dw1.call(nn.functional.relu(x))));
        return bn2.call(pw2.call(dw2.call(nn.functional.relu(y))));
    }
}
