using NasActors.Core;
using NasActors.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Data;

/// <summary>
/// Reads the binary version of CIFAR-10 (cifar-10-batches-bin: data_batch_1..5.bin and test_batch.bin, each record 1
/// label byte then 1024 red, 1024 green and 1024 blue bytes of a 32x32 image, row-major) from a directory the user gives
/// (nothing can be downloaded here), normalized with the DARTS tutorial's per-channel mean and std. Splits as for
/// Fashion-MNIST: train = the first (N - ValidationSize) training images (capped by TrainLimit), validation = the last
/// ValidationSize, test = test_batch.bin. Training batches are augmented as the spec says (<see cref="CifarAugment"/>).
/// </summary>
internal static class Cifar10
{
    public const int Side = 32;
    public const int Channels = 3;
    public const int Classes = 10;
    public const int RecordBytes = 1 + Channels * Side * Side;

    public static readonly string[] TrainFiles = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];
    public const string TestFile = "test_batch.bin";

    // The DARTS tutorial's CIFAR_MEAN and CIFAR_STD (of the 50k training images scaled to [0, 1]).
    public static readonly float[] Mean = [0.49139968f, 0.48215827f, 0.44653124f];
    public static readonly float[] Std = [0.24703233f, 0.24348505f, 0.26158768f];

    public static DatasetSplits Load(DataSpec spec)
    {
        var dir = spec.Directory;
        if (string.IsNullOrWhiteSpace(dir) || !System.IO.Directory.Exists(dir))
            throw new NasUserException($"CIFAR-10 not found at '{dir}': set nas.data.directory to the folder holding data_batch_1.bin .. data_batch_5.bin and test_batch.bin (the binary version, cifar-10-batches-bin; it cannot be downloaded here)");
        var missing = TrainFiles.Append(TestFile).Where(f => !File.Exists(Path.Combine(dir, f))).ToList();
        if (missing.Count > 0)
            throw new NasUserException($"CIFAR-10 at {dir} lacks {string.Join(", ", missing)}: nas.data.directory must hold data_batch_1.bin .. data_batch_5.bin and test_batch.bin (the binary version)");

        var train = TrainFiles.Select(f => Read(Path.Combine(dir, f))).ToList();
        var n = train.Sum(t => t.Count);
        var trainPixels = new byte[(long)n * Channels * Side * Side];
        var trainLabels = new long[n];
        var at = 0;
        foreach (var (pixels, labels, count) in train)
        {
            pixels.CopyTo(trainPixels, (long)at * Channels * Side * Side);
            labels.CopyTo(trainLabels, at);
            at += count;
        }
        var test = Read(Path.Combine(dir, TestFile));

        if (spec.ValidationSize < 0 || spec.ValidationSize >= n)
            throw new NasUserException($"nas.data.validation-size = {spec.ValidationSize} must be between 0 and {n - 1} (the CIFAR-10 training batches at {dir} hold {n} images)");
        if (spec.TrainLimit < 0)
            throw new NasUserException($"nas.data.train-limit = {spec.TrainLimit} must be 0 (all) or positive");
        var trainCount = n - spec.ValidationSize;
        if (spec.TrainLimit > 0) trainCount = Math.Min(trainCount, spec.TrainLimit);

        using var scope = torch.NewDisposeScope();
        var all = ToImageTensor(trainPixels, n);
        var allLabels = torch.tensor(trainLabels, ScalarType.Int64);
        var testSet = new ImageDataset(ToImageTensor(test.Pixels, test.Count), torch.tensor(test.Labels, ScalarType.Int64));
        // clone() so the splits own compact storage and the full tensor is freed with this scope.
        var trainSet = new ImageDataset(all.narrow(0, 0, trainCount).clone(), allLabels.narrow(0, 0, trainCount).clone());
        var validation = new ImageDataset(all.narrow(0, n - spec.ValidationSize, spec.ValidationSize).clone(),
            allLabels.narrow(0, n - spec.ValidationSize, spec.ValidationSize).clone());
        var augment = spec.Augment || spec.Cutout > 0 ? new CifarAugment(spec.Augment ? 4 : 0, spec.Augment, spec.Cutout) : null;
        return new DatasetSplits(trainSet, validation, testSet, augment);
    }

    /// <summary>uint8 planes → float32 [N,3,32,32], per channel (x/255 - mean)/std.</summary>
    internal static Tensor ToImageTensor(byte[] pixels, int count)
    {
        using var raw = torch.tensor(pixels, [count, Channels, Side, Side], ScalarType.Byte);
        using var mean = torch.tensor(Mean, [1, Channels, 1, 1]);
        using var std = torch.tensor(Std, [1, Channels, 1, 1]);
        var f = raw.to_type(ScalarType.Float32);
        f.div_(255f).sub_(mean).div_(std);
        return f;
    }

    /// <summary>One batch file: its pixels (records without the label byte, in order), labels and record count.</summary>
    private static (byte[] Pixels, long[] Labels, int Count) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0 || bytes.Length % RecordBytes != 0)
            throw new NasUserException($"CIFAR-10 file {path} is truncated or not the binary version ({bytes.Length} bytes, not a whole number of {RecordBytes}-byte records); copy it again from cifar-10-binary.tar.gz");
        var count = bytes.Length / RecordBytes;
        var pixels = new byte[(long)count * (RecordBytes - 1)];
        var labels = new long[count];
        for (var i = 0; i < count; i++)
        {
            var label = bytes[i * RecordBytes];
            if (label >= Classes)
                throw new NasUserException($"CIFAR-10 file {path} has label {label} in record {i} (classes are 0..9): it is not the binary version of CIFAR-10; copy it again from cifar-10-binary.tar.gz");
            labels[i] = label;
            Buffer.BlockCopy(bytes, i * RecordBytes + 1, pixels, i * (RecordBytes - 1), RecordBytes - 1);
        }
        return (pixels, labels, count);
    }
}
