using static TorchSharp.torch;

namespace NasActors.Torch.Ops;

/// <summary>
/// ShuffleNetV2's channel shuffle as SPOS does it, at the input of a stride-1 block: even channels pass through,
/// odd channels go to the main branch (reshape [B, C/2, 2, H, W] and take index 0 / 1).
/// </summary>
internal static class ChannelShuffle
{
    public static (Tensor Even, Tensor Odd) Split(Tensor x)
    {
        var (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        if (c % 4 != 0) throw new ArgumentException($"channel shuffle needs a multiple of 4 channels, got {c}");
        var pairs = x.reshape(b, c / 2, 2, h, w);
        return (pairs.select(2, 0), pairs.select(2, 1));
    }
}
