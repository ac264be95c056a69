using System.Buffers.Binary;
using System.IO.Compression;
using NasActors.Core;
using NasActors.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Data;

/// <summary>
/// Reads Fashion-MNIST from its four gzip'd IDX files (as shipped by Debian's dataset-fashion-mnist) and splits it:
/// train = the first (N - ValidationSize) training images (capped by TrainLimit), validation = the last
/// ValidationSize, test = the 10k test file.
/// </summary>
internal static class FashionMnist
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";
    public const string TrainImages = "train-images-idx3-ubyte.gz";
    public const string TrainLabels = "train-labels-idx1-ubyte.gz";
    public const string TestImages = "t10k-images-idx3-ubyte.gz";
    public const string TestLabels = "t10k-labels-idx1-ubyte.gz";

    // Mean and standard deviation of the 60k training pixels scaled to [0,1] (the usual Fashion-MNIST constants).
    public const float Mean = 0.2860f;
    public const float Std = 0.3530f;

    private const int LabelMagic = 0x00000801; // unsigned byte, 1 dimension
    /// <summary>Images are Side x Side grayscale; the supernets are sized for it.</summary>
    public const int Side = 28;
    public const int Classes = 10;

    public static DatasetSplits Load(DataSpec spec)
    {
        var dir = string.IsNullOrWhiteSpace(spec.Directory) ? DefaultDirectory : spec.Directory;
        if (!System.IO.Directory.Exists(dir))
            throw new NasUserException($"Fashion-MNIST not found at {dir}: install it with `apt-get install dataset-fashion-mnist` or set nas.data.directory");

        var trainX = ReadImages(Path.Combine(dir, TrainImages));
        var trainY = ReadLabels(Path.Combine(dir, TrainLabels), trainX.Count);
        var testX = ReadImages(Path.Combine(dir, TestImages));
        var testY = ReadLabels(Path.Combine(dir, TestLabels), testX.Count);

        var n = trainX.Count;
        if (spec.ValidationSize < 0 || spec.ValidationSize >= n)
            throw new NasUserException($"nas.data.validation-size = {spec.ValidationSize} must be between 0 and {n - 1} (the training file has {n} images)");
        if (spec.TrainLimit < 0)
            throw new NasUserException($"nas.data.train-limit = {spec.TrainLimit} must be 0 (all) or positive");
        var trainCount = n - spec.ValidationSize;
        if (spec.TrainLimit > 0) trainCount = Math.Min(trainCount, spec.TrainLimit);

        using var scope = torch.NewDisposeScope();
        var allTrain = ToImageTensor(trainX.Pixels, n);
        var allTrainLabels = torch.tensor(trainY, ScalarType.Int64);
        var test = new ImageDataset(ToImageTensor(testX.Pixels, testX.Count), torch.tensor(testY, ScalarType.Int64));
        // clone() so the splits own compact storage and the full 60k tensor can be freed with this scope.
        var train = new ImageDataset(allTrain.narrow(0, 0, trainCount).clone(), allTrainLabels.narrow(0, 0, trainCount).clone());
        var validation = new ImageDataset(
            allTrain.narrow(0, n - spec.ValidationSize, spec.ValidationSize).clone(),
            allTrainLabels.narrow(0, n - spec.ValidationSize, spec.ValidationSize).clone());
        return new DatasetSplits(train, validation, test);
    }

    /// <summary>uint8 pixels → float32 [N,1,28,28], (x/255 - mean)/std.</summary>
    internal static Tensor ToImageTensor(byte[] pixels, int count)
    {
        using var raw = torch.tensor(pixels, [count, 1, Side, Side], ScalarType.Byte);
        var f = raw.to_type(ScalarType.Float32);
        f.div_(255f).sub_(Mean).div_(Std);
        return f;
    }

    private static (byte[] Pixels, int Count) ReadImages(string path)
    {
        var bytes = ReadGzip(path);
        var header = IdxImages.Read(bytes) ?? throw Corrupt(path, $"expected an IDX image file (magic 0x{IdxImages.Magic:X8})");
        if (header.Rows != Side || header.Cols != Side)
            throw Corrupt(path, $"images are {header.Rows}x{header.Cols}, expected {Side}x{Side}");
        if (!header.Fits(bytes.Length))
            throw Corrupt(path, $"header says {header.Count} images but the file holds {bytes.Length - IdxImages.HeaderBytes} pixel bytes");
        return (bytes[IdxImages.HeaderBytes..], header.Count);
    }

    private static long[] ReadLabels(string path, int expected)
    {
        var bytes = ReadGzip(path);
        if (bytes.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(bytes) != LabelMagic)
            throw Corrupt(path, $"expected an IDX label file (magic 0x{LabelMagic:X8})");
        var n = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        if (n != expected || bytes.Length != 8L + n)
            throw Corrupt(path, $"holds {bytes.Length - 8} labels (header {n}) for {expected} images");
        var labels = new long[n];
        for (var i = 0; i < n; i++)
        {
            var y = bytes[8 + i];
            if (y >= Classes) throw Corrupt(path, $"label {y} at index {i} is not a class 0..{Classes - 1}");
            labels[i] = y;
        }
        return labels;
    }

    private static byte[] ReadGzip(string path)
    {
        if (!File.Exists(path))
            throw new NasUserException($"Fashion-MNIST file {path} is missing: reinstall with `apt-get install --reinstall dataset-fashion-mnist` or set nas.data.directory to a directory with all four files");
        try
        {
            using var file = File.OpenRead(path);
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            using var ms = new MemoryStream();
            gz.CopyTo(ms);
            return ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(path, "not valid gzip: " + e.Message);
        }
    }

    private static NasUserException Corrupt(string path, string detail) =>
        new($"Fashion-MNIST file {path} is corrupt ({detail}): reinstall with `apt-get install --reinstall dataset-fashion-mnist` or set nas.data.directory");
}
