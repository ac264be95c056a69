using NasActors.Torch.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces.Darts;

/// <summary>DARTS's DilConv: ReLU → depthwise k×k conv with dilation 2 → pointwise 1x1 conv → BN (receptive field 5 or 9).</summary>
internal sealed class DilConv : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d dw;
    private readonly Conv2d pw;
    private readonly SafeBatchNorm2d bn;

    public DilConv(int channels, int kernel, int stride, bool affine) : base(nameof(DilConv))
    {
        // Official: padding 2 (3x3) and 4 (5x5) with dilation 2 keep the size at stride 1.
        dw = nn.Conv2d(channels, channels, kernel, stride: stride, padding: kernel - 1, dilation: 2, groups: channels, bias: false);
        pw = nn.Conv2d(channels, channels, 1, bias: false);
        bn = new SafeBatchNorm2d(channels, affine: affine);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => bn.call(pw.call(dw.call(nn.functional.relu(x))));
}
