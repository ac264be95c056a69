using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Ops;

/// <summary>Conv2d (no bias: BN follows) → BatchNorm2d → optional ReLU: the unit every SPOS block is built from.</summary>
internal sealed class ConvBn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;
    private readonly bool _relu;

    public ConvBn(long inChannels, long outChannels, long kernel, long stride = 1, long groups = 1, bool relu = true)
        : base(nameof(ConvBn))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: kernel / 2, groups: groups, bias: false);
        bn = nn.BatchNorm2d(outChannels);
        _relu = relu;
        RegisterComponents();
    }

    public Conv2d Conv => conv;
    public BatchNorm2d Bn => bn;

    public override Tensor forward(Tensor x)
    {
        var y = bn.forward(conv.forward(x));
        return _relu ? nn.functional.relu(y, inplace: true) : y;
    }

    /// <summary>
    /// Multiply-accumulates of the convolution for an hIn x wIn input, read from the module's real shapes:
    /// Cout * Hout * Wout * (Cin / groups) * kh * kw. BN and ReLU are not counted (BN folds into the conv at inference).
    /// </summary>
    public long Macs(long hIn, long wIn, out long hOut, out long wOut)
    {
        var k = conv.kernel_size;
        var s = conv.stride;
        var p = conv.padding ?? throw new InvalidOperationException("ConvBn always uses explicit padding");
        var d = conv.dilation;
        hOut = (hIn + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0] + 1;
        wOut = (wIn + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1] + 1;
        return conv.out_channels * hOut * wOut * (conv.in_channels / conv.groups) * k[0] * k[1];
    }
}
