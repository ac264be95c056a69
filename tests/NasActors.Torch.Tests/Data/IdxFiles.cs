using System.Buffers.Binary;
using System.IO.Compression;
using NasActors.Torch.Data;

namespace NasActors.Torch.Tests.Data;

/// <summary>Writes small gzip'd IDX files in the layout Debian's dataset-fashion-mnist ships.</summary>
internal static class IdxFiles
{
    /// <summary>Image i has every pixel = (i * 7) mod 256; label i = i mod 10.</summary>
    public static void WriteAll(string dir, int train, int test)
    {
        WriteImages(Path.Combine(dir, FashionMnist.TrainImages), train);
        WriteLabels(Path.Combine(dir, FashionMnist.TrainLabels), train);
        WriteImages(Path.Combine(dir, FashionMnist.TestImages), test);
        WriteLabels(Path.Combine(dir, FashionMnist.TestLabels), test);
    }

    public static void WriteImages(string path, int n, int magic = 0x803, int side = 28)
    {
        var bytes = new byte[16 + n * side * side];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), n);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), side);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), side);
        for (var i = 0; i < n; i++) bytes.AsSpan(16 + i * side * side, side * side).Fill((byte)(i * 7 % 256));
        WriteGzip(path, bytes);
    }

    public static void WriteLabels(string path, int n, byte? badLabel = null)
    {
        var bytes = new byte[8 + n];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), n);
        for (var i = 0; i < n; i++) bytes[8 + i] = (byte)(i % 10);
        if (badLabel is { } b) bytes[8] = b;
        WriteGzip(path, bytes);
    }

    public static void WriteGzip(string path, byte[] content)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(content);
    }
}
