using NasActors.Core;
using NasActors.Core.SearchSpaces.Darts;
using NasActors.Core.Training;
using NasActors.Torch.Data;
using NasActors.Torch.Tests.Training;
using NasActors.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Tests.Data;

public class Cifar10Tests
{
    private const int Plane = 32 * 32;

    /// <summary>Record i of file f: label (f + i) % 10; pixel p of channel c = (31·f + 7·i + 3·c + p) % 256.</summary>
    private static byte[] Records(int file, int count)
    {
        var bytes = new byte[count * Cifar10.RecordBytes];
        for (var i = 0; i < count; i++)
        {
            var at = i * Cifar10.RecordBytes;
            bytes[at] = (byte)((file + i) % 10);
            for (var c = 0; c < 3; c++)
                for (var p = 0; p < Plane; p++)
                    bytes[at + 1 + c * Plane + p] = (byte)((31 * file + 7 * i + 3 * c + p) % 256);
        }
        return bytes;
    }

    /// <summary>Five training batches of 3 records (files 1..5) and a test batch of 2 (file 0).</summary>
    private static void Write(string dir)
    {
        for (var f = 1; f <= 5; f++) File.WriteAllBytes(Path.Combine(dir, $"data_batch_{f}.bin"), Records(f, 3));
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), Records(0, 2));
    }

    private static float Normalized(int file, int i, int c, int p) => ((31 * file + 7 * i + 3 * c + p) % 256 / 255f - Cifar10.Mean[c]) / Cifar10.Std[c];

    [Fact]
    public void Cifar10_must_read_the_binary_batches_normalized_per_channel_and_split_them()
    {
        using var dir = new TempDirectory();
        Write(dir.Path);

        using var data = Cifar10.Load(new DataSpec(dir.Path, ValidationSize: 4, TrainLimit: 0, Dataset: "cifar10"));

        Assert.Equal(new long[] { 11, 3, 32, 32 }, data.Train.Images.shape);
        Assert.Equal(new long[] { 4, 3, 32, 32 }, data.Validation.Images.shape);
        Assert.Equal(new long[] { 2, 3, 32, 32 }, data.Test.Images.shape);
        // Training images in file order: batch 1's three, batch 2's three, ...; validation = the last 4 (batch 4's last, batch 5's three).
        Assert.Equal([1, 2, 3, 2, 3, 4, 3, 4, 5, 4, 5], data.Train.Labels.data<long>().ToArray());
        Assert.Equal([6, 5, 6, 7], data.Validation.Labels.data<long>().ToArray());
        Assert.Equal([0, 1], data.Test.Labels.data<long>().ToArray());
        // Record 1 of batch 2 is training image 4: channel 2 (blue), pixel (row 5, column 9).
        Assert.Equal(Normalized(2, 1, 2, 5 * 32 + 9), data.Train.Images[4, 2, 5, 9].item<float>(), 5);
        Assert.Equal(Normalized(0, 1, 0, 0), data.Test.Images[1, 0, 0, 0].item<float>(), 5);

        using var limited = Cifar10.Load(new DataSpec(dir.Path, ValidationSize: 4, TrainLimit: 5, Dataset: "cifar10"));
        Assert.Equal(5, limited.Train.Count);
        Assert.Equal(4, limited.Validation.Count);
    }

    [Theory]
    [InlineData("no directory", "not found")]
    [InlineData("no test batch", "lacks test_batch.bin")]
    [InlineData("truncated", "data_batch_3.bin is truncated")]
    [InlineData("bad label", "has label 200")]
    [InlineData("validation too large", "nas.data.validation-size = 15")]
    public void Cifar10_must_refuse_a_missing_or_malformed_directory_in_one_line(string what, string expected)
    {
        using var dir = new TempDirectory();
        Write(dir.Path);
        var path = dir.Path;
        var validation = 4;
        switch (what)
        {
            case "no directory": path = Path.Combine(dir.Path, "nowhere"); break;
            case "no test batch": File.Delete(Path.Combine(dir.Path, "test_batch.bin")); break;
            case "truncated":
                var f = Path.Combine(dir.Path, "data_batch_3.bin");
                File.WriteAllBytes(f, File.ReadAllBytes(f)[..^100]);
                break;
            case "bad label":
                var bytes = Records(2, 3);
                bytes[Cifar10.RecordBytes] = 200;
                File.WriteAllBytes(Path.Combine(dir.Path, "data_batch_2.bin"), bytes);
                break;
            case "validation too large": validation = 15; break;
        }

        var e = Assert.Throws<NasUserException>(() => Cifar10.Load(new DataSpec(path, validation, 0, "cifar10")).Dispose());
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Datasets_must_refuse_images_of_another_shape_than_the_space_was_built_for()
    {
        using var dir = new TempDirectory();
        Write(dir.Path);
        var data = Datasets.Load(new DataSpec(dir.Path, 4, 0, "cifar10"));

        var e = Assert.Throws<NasUserException>(() => Datasets.Fit(data, "cifar10", "enas-micro", [1, 1, 28, 28]));
        Assert.Contains("built for 1x28x28 images but nas.data.dataset = cifar10 has 3x32x32", e.Message);
        using var fits = Datasets.Fit(Datasets.Load(new DataSpec(dir.Path, 4, 0, "cifar10")), "cifar10", "darts", [1, 3, 32, 32]);
        Assert.Equal(11, fits.Train.Count);
    }

    // ---------------------------------------------------------------- augmentation

    private static Tensor Batch(int n) => torch.rand(n, 3, 32, 32).add(1f); // never 0, never the pad value

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void Augmentation_must_be_a_pure_function_of_its_stream()
    {
        using var scope = torch.NewDisposeScope();
        var x = Batch(8);
        var aug = new CifarAugment();

        var a = aug.Apply(x, CifarAugment.Stream(seed: 3, step: 10, slot: 0));
        var b = aug.Apply(x, CifarAugment.Stream(seed: 3, step: 10, slot: 0));
        var c = aug.Apply(x, CifarAugment.Stream(seed: 3, step: 11, slot: 0));

        Assert.True(Same(a, b));
        Assert.False(Same(a, c));
        Assert.True(Same(x, new CifarAugment(0, false, 0).Apply(x, CifarAugment.Stream(3, 10, 0)))); // all off: the batch itself
    }

    [Fact]
    public void Augmentation_must_flip_crop_with_black_padding_and_cut_out_like_the_tutorial()
    {
        using var scope = torch.NewDisposeScope();
        var x = Batch(24);
        var rng = CifarAugment.Stream(5, 0, 0);

        // Flip only: each image as it was or mirrored, both seen.
        var flipped = new CifarAugment(0, true, 0).Apply(x, rng);
        var mirrored = Enumerable.Range(0, 24).Select(i => Same(flipped[i], x[i].flip(2))).ToList();
        Assert.All(Enumerable.Range(0, 24), i => Assert.True(mirrored[i] || Same(flipped[i], x[i])));
        Assert.Contains(true, mirrored);
        Assert.Contains(false, mirrored);

        // Crop only: each image is the original shifted by at most 4 pixels, the uncovered border black (-mean/std).
        var cropped = new CifarAugment(4, false, 0).Apply(x, rng);
        var pad = torch.tensor(Cifar10.Mean.Zip(Cifar10.Std, (m, s) => -m / s).ToArray(), [3, 1, 1]);
        for (var i = 0; i < 24; i++)
        {
            var found = false;
            for (var dy = -4; dy <= 4 && !found; dy++)
                for (var dx = -4; dx <= 4 && !found; dx++)
                {
                    var expected = torch.nn.functional.pad(x[i].sub(pad), [4, 4, 4, 4]).add(pad)[.., (4 + dy)..(36 + dy), (4 + dx)..(36 + dx)];
                    found = cropped[i].allclose(expected, rtol: 0, atol: 1e-5); // (x - pad) + pad rounds
                }
            Assert.True(found, $"image {i} is not a shifted copy");
        }

        // One channel (Fashion-MNIST, nas.retrain.crop-padding 2): shifted by at most 2, the border Fashion-MNIST's black.
        var gray = torch.rand(6, 1, 28, 28).add(1f);
        var shifted = new CifarAugment(2, false, 0).Apply(gray, rng);
        var black = torch.tensor(-FashionMnist.Mean / FashionMnist.Std);
        for (var i = 0; i < 6; i++)
        {
            var found = false;
            for (var dy = -2; dy <= 2 && !found; dy++)
                for (var dx = -2; dx <= 2 && !found; dx++)
                    found = shifted[i].allclose(torch.nn.functional.pad(gray[i].sub(black), [2, 2, 2, 2]).add(black)[.., (2 + dy)..(30 + dy), (2 + dx)..(30 + dx)], rtol: 0, atol: 1e-5);
            Assert.True(found, $"gray image {i} is not a shifted copy");
        }

        // Cutout only: a square of at most 16x16 (clipped at the border) set to 0 in every channel, the rest unchanged.
        var cut = new CifarAugment(0, false, 16).Apply(x, rng);
        for (var i = 0; i < 24; i++)
        {
            var zero = cut[i].eq(0f);
            Assert.True(Same(zero[0], zero[1]) && Same(zero[0], zero[2]));
            var rows = zero[0].any(1).sum().item<long>();
            var cols = zero[0].any(0).sum().item<long>();
            Assert.InRange(rows, 8, 16);
            Assert.InRange(cols, 8, 16);
            Assert.Equal(rows * cols, zero[0].sum().item<long>()); // a rectangle
            Assert.True(Same(cut[i].masked_fill(zero, 0f), x[i].masked_fill(zero, 0f)));
        }
    }

    [Fact]
    public void Cifar10_training_must_use_the_configured_augmentation_deterministically()
    {
        using var dir = new TempDirectory();
        Write(dir.Path);
        DatasetSplits Load(bool augment, int cutout) => Cifar10.Load(new DataSpec(dir.Path, 4, 0, "cifar10", augment, cutout));
        using (var on = Load(true, 16)) Assert.Equal(new CifarAugment(4, true, 16), on.Augment);
        using (var cutOnly = Load(false, 8)) Assert.Equal(new CifarAugment(0, false, 8), cutOnly.Augment);
        using (var off = Load(false, 0)) Assert.Null(off.Augment);

        // The same slice trained twice (two trainers) with augmentation gives the same weights, and others than without it.
        string[] Slices(bool augment, int trainers)
        {
            using var checkpoints = new TempDirectory();
            using var factory = new TorchSupernetFactory(new DartsModule(), new DartsSpec(2, 3, DartsSpec.Cifar10), [], TinySpecs.Train(batchSize: 4),
                Load(augment, augment ? 16 : 0), checkpoints.Path, intraOpThreads: 1);
            return [.. Enumerable.Range(0, trainers).Select(_ =>
            {
                using var backend = factory.Create("cpu");
                return backend.Trainer().TrainSlice(new SupernetSlice(0, 0, 1, null, 0, 3), _ => { }, CancellationToken.None).Checkpoint;
            })];
        }
        var augmented = Slices(augment: true, trainers: 2);
        Assert.Equal(augmented[0], augmented[1]);
        Assert.NotEqual(augmented[0], Slices(augment: false, trainers: 1)[0]);
    }
}
