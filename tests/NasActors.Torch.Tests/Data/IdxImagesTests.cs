using NasActors.Torch.Data;

namespace NasActors.Torch.Tests.Data;

public class IdxImagesTests
{
    private static byte[] File(int magic, int count, int rows, int cols, int pixels)
    {
        var bytes = new byte[16 + pixels];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        return bytes;
    }

    [Fact]
    public void IdxImages_must_read_the_big_endian_header_and_check_the_pixel_count()
    {
        var bytes = File(IdxImages.Magic, 3, 28, 27, 3 * 28 * 27);
        var header = IdxImages.Read(bytes);
        Assert.Equal(new IdxImages(3, 28, 27), header);
        Assert.True(header!.Value.Fits(bytes.Length));
        Assert.False(header.Value.Fits(bytes.Length - 1)); // truncated
        Assert.False(new IdxImages(0, 28, 28).Fits(16)); // no image at all
    }

    [Fact]
    public void IdxImages_must_not_read_a_label_file_or_a_short_one_as_images()
    {
        Assert.Null(IdxImages.Read(File(0x00000801, 3, 0, 0, 0))); // labels: magic 0x801
        Assert.Null(IdxImages.Read(new byte[15]));
    }
}
