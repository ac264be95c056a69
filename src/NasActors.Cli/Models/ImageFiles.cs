using System.IO.Compression;
using NasActors.Core;
using NasActors.Torch.Data;
using NasActors.Torch.Models;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Cli.Models;

/// <summary>
/// Images to predict, as pixels [N, C, H, W] scaled to [0, 1]: an IDX image file (MNIST's format, gzip'd or not) or a
/// folder of PNG/JPEG/BMP/WebP files decoded with SkiaSharp (ScottPlot's renderer, already a dependency). The IDX
/// header is read by the Fashion-MNIST loader's <see cref="IdxImages"/>.
/// </summary>
internal static class ImageFiles
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif"];

    /// <summary>The images of <paramref name="path"/> with a name for each (file name or IDX index), checked against <paramref name="input"/>.</summary>
    public static (Tensor Pixels, string[] Names) Read(string path, ModelInput input)
    {
        if (Directory.Exists(path)) return ReadFolder(path, input);
        if (!File.Exists(path)) throw new NasUserException($"{path} not found; pass an IDX image file (e.g. t10k-images-idx3-ubyte.gz) or a folder of PNG files");
        return ReadIdx(path, input);
    }

    private static (Tensor, string[]) ReadIdx(string path, ModelInput input)
    {
        byte[] bytes;
        using (var file = File.OpenRead(path))
        {
            var gzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
            file.Position = 0;
            using var ms = new MemoryStream();
            try
            {
                if (gzip) { using var gz = new GZipStream(file, CompressionMode.Decompress); gz.CopyTo(ms); }
                else file.CopyTo(ms);
            }
            catch (InvalidDataException e) { throw new NasUserException($"{path} is not valid gzip ({e.Message}); pass an IDX image file, gzip'd or not"); }
            bytes = ms.ToArray();
        }
        var header = IdxImages.Read(bytes)
                     ?? throw new NasUserException($"{path} is not an IDX image file (magic 0x{IdxImages.Magic:X8}, as MNIST's *-images-idx3-ubyte); pass one or a folder of PNG files");
        var (n, rows, cols) = header;
        if (input.Channels != 1 || rows != input.Height || cols != input.Width)
            throw new NasUserException($"{path} holds {rows}x{cols} grayscale images, but the model takes {input.Channels}x{input.Height}x{input.Width} ({input.Dataset}); pass images of that size");
        if (!header.Fits(bytes.Length))
            throw new NasUserException($"{path} is truncated or damaged: its header says {n} images of {rows}x{cols}, the file holds {bytes.Length - IdxImages.HeaderBytes} pixel bytes");
        using var raw = torch.tensor(bytes[IdxImages.HeaderBytes..], [n, 1, rows, cols], ScalarType.Byte);
        return (raw.to_type(ScalarType.Float32).div_(255f), [.. Enumerable.Range(0, n).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
    }

    private static (Tensor, string[]) ReadFolder(string dir, ModelInput input)
    {
        var files = Directory.GetFiles(dir).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new NasUserException($"{dir} holds no image files ({string.Join(", ", Extensions)})");
        var (c, h, w) = (input.Channels, input.Height, input.Width);
        var pixels = new float[files.Length * c * h * w];
        for (var i = 0; i < files.Length; i++)
        {
            using var bitmap = SKBitmap.Decode(files[i])
                               ?? throw new NasUserException($"{files[i]} is not an image SkiaSharp can decode; pass PNG, JPEG, BMP or WebP files");
            if (bitmap.Width != w || bitmap.Height != h)
                throw new NasUserException($"{files[i]} is {bitmap.Width}x{bitmap.Height}, but the model takes {w}x{h} images ({input.Dataset}); resize it first");
            var offset = i * c * h * w;
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                {
                    var p = bitmap.GetPixel(x, y);
                    if (c == 1) pixels[offset + y * w + x] = (0.299f * p.Red + 0.587f * p.Green + 0.114f * p.Blue) / 255f; // ITU-R BT.601 luma
                    else
                    {
                        pixels[offset + y * w + x] = p.Red / 255f;
                        pixels[offset + h * w + y * w + x] = p.Green / 255f;
                        pixels[offset + 2 * h * w + y * w + x] = p.Blue / 255f;
                    }
                }
        }
        return (torch.tensor(pixels, [files.Length, c, h, w]), [.. files.Select(Path.GetFileName).OfType<string>()]);
    }
}
