using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Ops;

/// <summary>
/// ENAS's sep_conv_kxk (one separable conv, as in ENAS micro): ReLU → kxk depthwise conv (pad k/2, stride 1, no bias)
/// → 1x1 pointwise conv (no bias) → BN.
/// </summary>
internal sealed class SepConv : MicroOp
{
    private readonly Conv2d depthwise;
    private readonly Conv2d pointwise;
    private readonly SafeBatchNorm2d bn;

    public SepConv(int channels, int kernel) : base(nameof(SepConv), channels)
    {
        if (kernel < 1 || kernel % 2 == 0) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "kernel must be odd");
        Kernel = kernel;
        depthwise = nn.Conv2d(channels, channels, kernel, stride: 1, padding: kernel / 2, groups: channels, bias: false);
        pointwise = nn.Conv2d(channels, channels, 1, stride: 1, padding: 0L, bias: false);
        bn = new SafeBatchNorm2d(channels);
        RegisterComponents();
    }

    public int Kernel { get; }
    public Conv2d Depthwise => depthwise;
    public Conv2d Pointwise => pointwise;

    // Not in place: the input is a cell node that other nodes read too.
    public override Tensor forward(Tensor x) => bn.call(pointwise.call(depthwise.call(nn.functional.relu(x))));

    public override long Macs(long h, long w) =>
        ConvMacs.Of(depthwise, h, w, out var ho, out var wo) + ConvMacs.Of(pointwise, ho, wo, out _, out _);
}
