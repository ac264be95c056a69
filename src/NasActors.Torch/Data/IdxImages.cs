using System.Buffers.Binary;

namespace NasActors.Torch.Data;

/// <summary>
/// The header of an IDX image file (MNIST's format: big-endian magic 0x803, count, rows, columns, then the pixels as
/// one unsigned byte each). Hand-written: the format is a 16-byte header and raw bytes, and no served package reads
/// it. Callers (the Fashion-MNIST loader, `nas predict`) word their own errors.
/// </summary>
internal readonly record struct IdxImages(int Count, int Rows, int Cols)
{
    public const int Magic = 0x00000803; // unsigned byte, 3 dimensions
    public const int HeaderBytes = 16;

    /// <summary>The header of <paramref name="bytes"/>; null when they do not start like an IDX image file.</summary>
    public static IdxImages? Read(ReadOnlySpan<byte> bytes) =>
        bytes.Length < HeaderBytes || BinaryPrimitives.ReadInt32BigEndian(bytes) != Magic
            ? null
            : new IdxImages(BinaryPrimitives.ReadInt32BigEndian(bytes[4..]), BinaryPrimitives.ReadInt32BigEndian(bytes[8..]),
                BinaryPrimitives.ReadInt32BigEndian(bytes[12..]));

    /// <summary>Whether <paramref name="fileLength"/> bytes hold at least one image and exactly the pixels this header announces.</summary>
    public bool Fits(long fileLength) => Count > 0 && fileLength == HeaderBytes + (long)Count * Rows * Cols;
}
