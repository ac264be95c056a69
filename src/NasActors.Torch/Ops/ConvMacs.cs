using TorchSharp.Modules;

namespace NasActors.Torch.Ops;

/// <summary>The MAC convention of every cost table: Cout * Hout * Wout * (Cin / groups) * kh * kw, read from a conv's real shapes.</summary>
internal static class ConvMacs
{
    public static long Of(Conv2d conv, long hIn, long wIn, out long hOut, out long wOut)
    {
        var k = conv.kernel_size;
        var s = conv.stride;
        var p = conv.padding ?? throw new InvalidOperationException("cost counting needs convolutions with explicit padding");
        var d = conv.dilation;
        hOut = (hIn + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0] + 1;
        wOut = (wIn + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1] + 1;
        return conv.out_channels * hOut * wOut * (conv.in_channels / conv.groups) * k[0] * k[1];
    }
}
