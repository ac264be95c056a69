using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Ops;

/// <summary>Conv2d (no bias: BN follows) → BatchNorm2d → optional ReLU: the unit every SPOS block is built from.</summary>
internal sealed class ConvBn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly SafeBatchNorm2d bn;
    private readonly bool _relu;

    public ConvBn(long inChannels, long outChannels, long kernel, long stride = 1, long groups = 1, bool relu = true)
        : base(nameof(ConvBn))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: kernel / 2, groups: groups, bias: false);
        bn = new SafeBatchNorm2d(outChannels);
        _relu = relu;
        RegisterComponents();
    }

    public Conv2d Conv => conv;
    public SafeBatchNorm2d Bn => bn;

    public override Tensor forward(Tensor x)
    {
        var y = bn.call(conv.call(x));
        return _relu ? nn.functional.relu(y, inplace: true) : y;
    }

    /// <summary>
    /// Multiply-accumulates of the convolution for an hIn x wIn input, read from the module's real shapes:
    /// Cout * Hout * Wout * (Cin / groups) * kh * kw. BN and ReLU are not counted (BN folds into the conv at inference).
    /// </summary>
    public long Macs(long hIn, long wIn, out long hOut, out long wOut) => ConvMacs.Of(conv, hIn, wIn, out hOut, out wOut);
}
