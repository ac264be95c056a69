using NasActors.Core.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Data;

/// <summary>
/// The DARTS tutorial's training augmentation of normalized CIFAR-10 batches: random crop of 32 from the image padded by
/// <see cref="Padding"/> (the padding is black, i.e. -mean/std after normalization (Fashion-MNIST's for one channel), as torchvision pads before
/// ToTensor/Normalize), horizontal flip with probability 1/2, then cutout (a <see cref="Cutout"/>-sided square centred
/// anywhere in the image, clipped at the border, set to 0 after normalization as the tutorial's cutout_transform does).
/// Every draw comes from the given xoshiro stream, per image in batch order: the same stream gives the same batch.
/// </summary>
internal sealed record CifarAugment(int Padding = 4, bool Flip = true, int Cutout = 16)
{
    /// <summary>The stream of training step <paramref name="step"/> of slot <paramref name="slot"/> under <paramref name="seed"/>.</summary>
    public static Xoshiro256 Stream(long seed, long step, int slot) =>
        Xoshiro256.FromSeed(Xoshiro256.Derive(seed, Training.StreamTags.Augment, step, slot));

    /// <summary>A new augmented batch [B,C,H,W] (float32, CPU) of <paramref name="x"/>, which is left as it is.</summary>
    public Tensor Apply(Tensor x, Xoshiro256 rng)
    {
        if (x.dim() != 4 || x.dtype != ScalarType.Float32) throw new ArgumentException("expects a float32 batch [B, C, H, W]");
        var (b, c, h, w) = ((int)x.shape[0], (int)x.shape[1], (int)x.shape[2], (int)x.shape[3]);
        var src = x.contiguous().cpu().data<float>().ToArray();
        var dst = new float[src.Length];
        var pad = new float[c];
        for (var ch = 0; ch < c; ch++) pad[ch] = c == Cifar10.Channels ? -Cifar10.Mean[ch] / Cifar10.Std[ch] : -FashionMnist.Mean / FashionMnist.Std;
        var plane = h * w;
        for (var n = 0; n < b; n++)
        {
            // Offsets of the crop in the padded image: 0..2·padding, as RandomCrop(32, padding=4).
            var dy = rng.NextInt(2 * Padding + 1) - Padding;
            var dx = rng.NextInt(2 * Padding + 1) - Padding;
            var flip = Flip && rng.NextInt(2) == 1;
            int cy = 0, cx = 0;
            if (Cutout > 0) (cy, cx) = (rng.NextInt(h), rng.NextInt(w));
            for (var ch = 0; ch < c; ch++)
            {
                var at = (n * c + ch) * plane;
                for (var i = 0; i < h; i++)
                    for (var j = 0; j < w; j++)
                    {
                        var sy = i + dy;
                        var sx = (flip ? w - 1 - j : j) + dx;
                        var v = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[at + sy * w + sx] : pad[ch];
                        if (Cutout > 0 && i >= cy - Cutout / 2 && i < cy + Cutout / 2 && j >= cx - Cutout / 2 && j < cx + Cutout / 2) v = 0f;
                        dst[at + i * w + j] = v;
                    }
            }
        }
        return torch.tensor(dst, x.shape);
    }
}
