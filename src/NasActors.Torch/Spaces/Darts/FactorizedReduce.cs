using NasActors.Torch.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces.Darts;

/// <summary>
/// DARTS's FactorizedReduce: ReLU → two 1x1 convs with stride 2 (out/2 channels each; the second on the input shifted
/// by one pixel) → concatenated → BN. Halves the resolution (ceil: 7 → 4) without losing every other pixel.
/// </summary>
internal sealed class FactorizedReduce : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly SafeBatchNorm2d bn;

    public FactorizedReduce(int inChannels, int outChannels, bool affine) : base(nameof(FactorizedReduce))
    {
        if (outChannels % 2 != 0) throw new ArgumentException($"FactorizedReduce needs an even output width, not {outChannels}");
        conv1 = nn.Conv2d(inChannels, outChannels / 2, 1, stride: 2, padding: 0L, bias: false);
        conv2 = nn.Conv2d(inChannels, outChannels / 2, 1, stride: 2, padding: 0L, bias: false);
        bn = new SafeBatchNorm2d(outChannels, affine: affine);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var r = nn.functional.relu(x);
        var a = conv1.call(r);
        var b = conv2.call(r[.., .., 1.., 1..]);
        // Odd sides (7x7): the shifted input is one pixel smaller; pad it back as PyTorch ports of DARTS do for 7 → 4.
        if (b.shape[2] != a.shape[2] || b.shape[3] != a.shape[3])
            b = nn.functional.pad(b, [0, a.shape[3] - b.shape[3], 0, a.shape[2] - b.shape[2]]);
        return bn.call(torch.cat([a, b], 1));
    }
}
