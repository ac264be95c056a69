using NasActors.Core;
using NasActors.Core.Training;
using NasActors.Torch.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Tests.Data;

public class FashionMnistTests
{
    [Fact]
    public void FashionMnist_must_split_and_normalize_idx_files()
    {
        using var dir = new TempDirectory();
        IdxFiles.WriteAll(dir.Path, train: 30, test: 12);

        using var splits = FashionMnist.Load(new DataSpec(dir.Path, ValidationSize: 10));

        Assert.Equal(20, splits.Train.Count);
        Assert.Equal(10, splits.Validation.Count);
        Assert.Equal(12, splits.Test.Count);
        Assert.Equal(new long[] { 20, 1, 28, 28 }, splits.Train.Images.shape);
        Assert.Equal(ScalarType.Float32, splits.Train.Images.dtype);
        Assert.Equal(ScalarType.Int64, splits.Train.Labels.dtype);
        // Validation = the last 10 training images, in file order: image 20 has pixels 140, label 0.
        Assert.Equal((140f / 255f - FashionMnist.Mean) / FashionMnist.Std, splits.Validation.Images[0, 0, 5, 5].item<float>(), 5);
        Assert.Equal(0L, splits.Validation.Labels[0].item<long>());
        Assert.Equal(3L, splits.Train.Labels[13].item<long>());
        Assert.Equal((7f * 11 / 255f - FashionMnist.Mean) / FashionMnist.Std, splits.Test.Images[11, 0, 27, 0].item<float>(), 5);
    }

    [Fact]
    public void FashionMnist_must_apply_the_train_limit()
    {
        using var dir = new TempDirectory();
        IdxFiles.WriteAll(dir.Path, train: 30, test: 5);

        using var splits = FashionMnist.Load(new DataSpec(dir.Path, ValidationSize: 10, TrainLimit: 7));

        Assert.Equal(7, splits.Train.Count);
        Assert.Equal(10, splits.Validation.Count);
        Assert.Equal(0L, splits.Validation.Labels[0].item<long>()); // still the last 10, not images 7..16
    }

    [Fact]
    public void FashionMnist_must_reject_missing_directory()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-fashion-mnist-" + Guid.NewGuid().ToString("N"));

        var e = Assert.Throws<NasUserException>(() => FashionMnist.Load(new DataSpec(missing, 10)));

        Assert.Contains(missing, e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void FashionMnist_must_reject_missing_file()
    {
        using var dir = new TempDirectory();
        IdxFiles.WriteAll(dir.Path, train: 20, test: 5);
        File.Delete(dir.Combine(FashionMnist.TestLabels));

        var e = Assert.Throws<NasUserException>(() => FashionMnist.Load(new DataSpec(dir.Path, 5)));

        Assert.Contains(dir.Combine(FashionMnist.TestLabels), e.Message);
    }

    [Fact]
    public void FashionMnist_must_reject_wrong_magic_number()
    {
        using var dir = new TempDirectory();
        IdxFiles.WriteAll(dir.Path, train: 20, test: 5);
        IdxFiles.WriteImages(dir.Combine(FashionMnist.TrainImages), 20, magic: 0x801);

        var e = Assert.Throws<NasUserException>(() => FashionMnist.Load(new DataSpec(dir.Path, 5)));

        Assert.Contains("corrupt", e.Message);
        Assert.Contains(dir.Combine(FashionMnist.TrainImages), e.Message);
    }

    [Fact]
    public void FashionMnist_must_reject_truncated_and_non_gzip_files()
    {
        using var dir = new TempDirectory();
        IdxFiles.WriteAll(dir.Path, train: 20, test: 5);
        var path = dir.Combine(FashionMnist.TestImages);
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);
        Assert.Contains("corrupt", Assert.Throws<NasUserException>(() => FashionMnist.Load(new DataSpec(dir.Path, 5))).Message);

        IdxFiles.WriteImages(path, 5);
        var whole = File.ReadAllBytes(path);
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
        Assert.Contains("corrupt", Assert.Throws<NasUserException>(() => FashionMnist.Load(new DataSpec(dir.Path, 5))).Message);
    }

    [Fact]
    public void FashionMnist_must_reject_label_count_mismatch_and_bad_labels()
    {
        using var dir = new TempDirectory();
        IdxFiles.WriteAll(dir.Path, train: 20, test: 5);
        IdxFiles.WriteLabels(dir.Combine(FashionMnist.TrainLabels), 19);
        Assert.Contains("corrupt", Assert.Throws<NasUserException>(() => FashionMnist.Load(new DataSpec(dir.Path, 5))).Message);

        IdxFiles.WriteLabels(dir.Combine(FashionMnist.TrainLabels), 20, badLabel: 10);
        Assert.Contains("label 10", Assert.Throws<NasUserException>(() => FashionMnist.Load(new DataSpec(dir.Path, 5))).Message);
    }

    [Fact]
    public void FashionMnist_must_reject_validation_size_not_below_the_image_count()
    {
        using var dir = new TempDirectory();
        IdxFiles.WriteAll(dir.Path, train: 20, test: 5);

        var e = Assert.Throws<NasUserException>(() => FashionMnist.Load(new DataSpec(dir.Path, 20)));

        Assert.Contains("nas.data.validation-size", e.Message);
    }

    [Fact]
    public void FashionMnist_must_load_the_real_dataset_when_installed()
    {
        // Not a silent pass where the package is missing: the suite needs it (./test.sh and CI install it).
        Assert.True(File.Exists(Path.Combine(FashionMnist.DefaultDirectory, FashionMnist.TrainImages)),
            $"Fashion-MNIST is not installed at {FashionMnist.DefaultDirectory}: apt-get install dataset-fashion-mnist (this test reads the real dataset)");

        using var splits = FashionMnist.Load(new DataSpec(FashionMnist.DefaultDirectory, ValidationSize: 10_000));

        Assert.Equal(60_000, splits.Train.Count + splits.Validation.Count);
        Assert.Equal(10_000, splits.Validation.Count);
        Assert.Equal(10_000, splits.Test.Count);
        foreach (var labels in new[] { splits.Train.Labels, splits.Validation.Labels, splits.Test.Labels })
        {
            Assert.Equal(0L, labels.min().item<long>());
            Assert.Equal(9L, labels.max().item<long>());
        }
        // The normalization constants are the training mean and std: the normalized train split is close to N(0,1).
        Assert.InRange(splits.Train.Images.mean().item<float>(), -0.02f, 0.02f);
        Assert.InRange(splits.Train.Images.std().item<float>(), 0.98f, 1.02f);
    }
}
