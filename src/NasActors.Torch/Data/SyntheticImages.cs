using NasActors.Core.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Data;

/// <summary>
/// Small, learnable, deterministic stand-in for Fashion-MNIST (tests, benchmarks): class c is a bright bar at a
/// class-specific position plus uniform noise, already normalized like the real loader's output.
/// </summary>
internal static class SyntheticImages
{
    public static ImageDataset Create(int count, long seed, int classes = 10)
    {
        var rng = Xoshiro256.FromSeed(seed);
        var pixels = new byte[count * 28 * 28];
        var labels = new long[count];
        for (var i = 0; i < count; i++)
        {
            var c = rng.NextInt(classes);
            labels[i] = c;
            var img = pixels.AsSpan(i * 784, 784);
            for (var p = 0; p < 784; p++) img[p] = (byte)rng.NextInt(96);
            // Horizontal bar for classes 0-4, vertical bar for 5-9, at a class-specific offset.
            var pos = 3 + (c % 5) * 5;
            for (var a = 0; a < 28; a++)
                for (var d = 0; d < 2; d++)
                {
                    var (r, col) = c < 5 ? (pos + d, a) : (a, pos + d);
                    img[r * 28 + col] = 255;
                }
        }
        using var scope = torch.NewDisposeScope();
        var x = FashionMnist.ToImageTensor(pixels, count);
        var y = torch.tensor(labels, ScalarType.Int64);
        return new ImageDataset(x, y);
    }

    public static DatasetSplits Splits(int train, int validation, int test, long seed = 1) =>
        new(Create(train, Xoshiro256.Derive(seed, 0)), Create(validation, Xoshiro256.Derive(seed, 1)), Create(test, Xoshiro256.Derive(seed, 2)));
}
