using NasActors.Torch.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces.Darts;

/// <summary>DARTS's ReLUConvBN: ReLU → conv (no bias) → BN; a cell's 1x1 input preprocessing.</summary>
internal sealed class StdConv : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly SafeBatchNorm2d bn;

    public StdConv(int inChannels, int outChannels, int kernel, int stride, int padding, bool affine) : base(nameof(StdConv))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, bias: false);
        bn = new SafeBatchNorm2d(outChannels, affine: affine);
        RegisterComponents();
    }

    // ReLU not in place: a cell output is read by the next two cells.
    public override Tensor forward(Tensor x) => bn.call(conv.call(nn.functional.relu(x)));
}
