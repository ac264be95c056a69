using NasActors.Torch.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces.Darts;

/// <summary>
/// A DARTS 3x3 pool (padding 1; average without the padding, count_include_pad=False) followed, as in the official
/// search network's MixedOp, by BN without affine parameters: it puts the pool on the scale of the conv ops.
/// </summary>
internal sealed class PoolBn : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> pool;
    private readonly SafeBatchNorm2d bn;

    public PoolBn(bool max, int channels, int stride) : base(nameof(PoolBn))
    {
        pool = max ? nn.MaxPool2d(3, stride: stride, padding: 1) : nn.AvgPool2d(3, stride: stride, padding: 1, count_include_pad: false);
        bn = new SafeBatchNorm2d(channels, affine: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => bn.call(pool.call(x));
}
