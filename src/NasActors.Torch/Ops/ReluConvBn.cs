using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Ops;

/// <summary>
/// ReLU → 1x1 conv (no bias, padding 0, stride 1 or 2) → BN: an ENAS cell's input preprocessing (stride 2 brings an
/// input from the previous resolution to the cell's, ceil: 7 → 4) and its output projection.
/// </summary>
internal sealed class ReluConvBn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly SafeBatchNorm2d bn;

    public ReluConvBn(int inChannels, int outChannels, int stride) : base(nameof(ReluConvBn))
    {
        if (stride != 1 && stride != 2) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be 1 or 2");
        conv = nn.Conv2d(inChannels, outChannels, 1, stride: stride, padding: 0L, bias: false);
        bn = new SafeBatchNorm2d(outChannels);
        RegisterComponents();
    }

    public Conv2d Conv => conv;

    // ReLU not in place: the input (a cell output or the stem) is read by two cells.
    public override Tensor forward(Tensor x) => bn.call(conv.call(nn.functional.relu(x)));

    public long Macs(long hIn, long wIn, out long hOut, out long wOut) => ConvMacs.Of(conv, hIn, wIn, out hOut, out wOut);
}
