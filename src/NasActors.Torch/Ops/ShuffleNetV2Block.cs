using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Ops;

/// <summary>
/// The ShuffleNetV2 shell shared by every SPOS candidate (Megvii's SPOS code, NNI's spos example):
/// stride 1: channel shuffle splits the input into two halves, one passes through, the other goes through the main
/// branch; stride 2: a projection branch (k x k depthwise stride 2 → BN → 1x1 → BN → ReLU) and the main branch both
/// see the full input. The two halves are concatenated; the next block's split does the shuffle.
/// Generalisation: both halves have out/2 channels, so any width works; this equals the official block whenever
/// a stage doubles its width (in = out/2), as in the default specs.
/// </summary>
internal sealed class ShuffleNetV2Block : nn.Module<Tensor, Tensor>
{
    private readonly ConvBnChain main;
    private readonly ConvBnChain proj; // empty for stride 1

    public int InChannels { get; }
    public int OutChannels { get; }
    public int Stride { get; }

    private ShuffleNetV2Block(int inChannels, int outChannels, int stride, ConvBnChain mainBranch, ConvBnChain projection)
        : base(nameof(ShuffleNetV2Block))
    {
        (InChannels, OutChannels, Stride) = (inChannels, outChannels, stride);
        main = mainBranch;
        proj = projection;
        RegisterComponents();
    }

    /// <summary>shuffle_kxk: 1x1 → BN → ReLU → kxk depthwise (stride) → BN → 1x1 → BN → ReLU.</summary>
    public static ShuffleNetV2Block Shuffle(int inChannels, int outChannels, int kernel, int stride)
    {
        var (branchIn, half) = Widths(inChannels, outChannels, stride);
        var mid = outChannels / 2;
        var mainBranch = new ConvBnChain(
            new ConvBn(branchIn, mid, 1),
            new ConvBn(mid, mid, kernel, stride, groups: mid, relu: false),
            new ConvBn(mid, half, 1));
        return new ShuffleNetV2Block(inChannels, outChannels, stride, mainBranch, Projection(inChannels, half, kernel, stride));
    }

    /// <summary>xception_3x3: three (3x3 depthwise → BN → 1x1 → BN → ReLU); the first depthwise carries the stride.</summary>
    public static ShuffleNetV2Block Xception(int inChannels, int outChannels, int stride)
    {
        var (branchIn, half) = Widths(inChannels, outChannels, stride);
        var mid = outChannels / 2;
        var mainBranch = new ConvBnChain(
            new ConvBn(branchIn, branchIn, 3, stride, groups: branchIn, relu: false),
            new ConvBn(branchIn, mid, 1),
            new ConvBn(mid, mid, 3, 1, groups: mid, relu: false),
            new ConvBn(mid, mid, 1),
            new ConvBn(mid, mid, 3, 1, groups: mid, relu: false),
            new ConvBn(mid, half, 1));
        return new ShuffleNetV2Block(inChannels, outChannels, stride, mainBranch, Projection(inChannels, half, 3, stride));
    }

    private static (int BranchIn, int Half) Widths(int inChannels, int outChannels, int stride)
    {
        if (stride != 1 && stride != 2) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be 1 or 2");
        if (outChannels % 4 != 0) throw new ArgumentException($"out channels {outChannels} must be a multiple of 4");
        if (stride == 1 && inChannels != outChannels)
            throw new ArgumentException($"a stride-1 block keeps its width: in {inChannels} != out {outChannels}");
        return (stride == 1 ? inChannels / 2 : inChannels, outChannels / 2);
    }

    private static ConvBnChain Projection(int inChannels, int outChannels, int kernel, int stride) =>
        stride == 1
            ? new ConvBnChain()
            : new ConvBnChain(
                new ConvBn(inChannels, inChannels, kernel, stride, groups: inChannels, relu: false),
                new ConvBn(inChannels, outChannels, 1));

    public override Tensor forward(Tensor x)
    {
        if (Stride == 1)
        {
            var (passThrough, toMain) = ChannelShuffle.Split(x);
            return torch.cat([passThrough, main.call(toMain)], 1);
        }
        return torch.cat([proj.call(x), main.call(x)], 1);
    }

    /// <summary>MACs of the convolutions this block runs for an hIn x wIn input.</summary>
    public long Macs(long hIn, long wIn, out long hOut, out long wOut)
    {
        var macs = main.Macs(hIn, wIn, out hOut, out wOut);
        if (Stride != 1) macs += proj.Macs(hIn, wIn, out _, out _);
        return macs;
    }
}
