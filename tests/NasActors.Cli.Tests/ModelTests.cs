using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SkiaSharp;

namespace NasActors.Cli.Tests;

/// <summary>
/// The saved model a retrained experiment ends with (STORE/NAME/model: model.safetensors + model.json): its
/// safetensors file read by an independent parser, `nas evaluate` reproducing the experiment's test accuracy,
/// `nas predict` on an IDX file and on PNG files of the same images, and every bad input in one line with exit 2.
/// </summary>
public sealed partial class ModelTests(ModelTests.TrainedModel trained) : IClassFixture<ModelTests.TrainedModel>
{
    /// <summary>One `nas train` of the smoke model, shared by the tests (they only read it, or copy it).</summary>
    public sealed class TrainedModel : IDisposable
    {
        internal TempStore Store { get; } = new();
        public string Model => Path.Combine(Store.Path, "m", "model");
        public string Stdout { get; }

        public TrainedModel()
        {
            var (code, stdout, stderr) = CliProcess.Run(Long, "train", Tutorial, "--config", Smoke, "--name", "m", "--store", Store.Path);
            Assert.True(code == 0, $"train failed ({code}):\n{stdout}\n{stderr}");
            Stdout = stdout;
        }

        public void Dispose() => Store.Dispose();
    }

    private static readonly TimeSpan Long = JournalKill.Long;
    private static readonly TimeSpan Short = TimeSpan.FromMinutes(2);
    private const string Smoke = "hocon/train-smoke.conf";
    private const string Tutorial = "examples/darts/nni-tutorial-darts-clipped.json";
    private const string TestImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

    [GeneratedRegex(@"test accuracy (\d+\.\d\d) %")]
    private static partial Regex TestAccuracy();

    [GeneratedRegex(@"accuracy (\d+\.\d\d) % on the (\w+) split")]
    private static partial Regex EvaluatedAccuracy();

    /// <summary>The first <paramref name="n"/> test images as an uncompressed IDX file, and their pixels.</summary>
    private static (string Path, byte[][] Pixels) WriteIdx(string dir, int n, int side = 28)
    {
        byte[] all;
        using (var gz = new GZipStream(File.OpenRead(TestImages), CompressionMode.Decompress))
        using (var ms = new MemoryStream()) { gz.CopyTo(ms); all = ms.ToArray(); }
        var pixels = Enumerable.Range(0, n).Select(i => side == 28 ? all.AsSpan(16 + i * 784, 784).ToArray() : new byte[side * side]).ToArray();
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), n);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), side);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), side);
        var path = Path.Combine(dir, $"images-{side}.idx");
        File.WriteAllBytes(path, [.. header, .. pixels.SelectMany(p => p)]);
        return (path, pixels);
    }

    private static void WritePng(string path, byte[] gray, int side)
    {
        using var bitmap = new SKBitmap(side, side, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (var y = 0; y < side; y++)
            for (var x = 0; x < side; x++)
            {
                var v = gray[y * side + x];
                bitmap.SetPixel(x, y, new SKColor(v, v, v));
            }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>A safetensors file parsed by hand (the format's spec): 8-byte little-endian header size, JSON header, data.</summary>
    private static Dictionary<string, (string DType, long[] Shape, long Begin, long End)> ReadSafetensorsHeader(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n));
        var entries = doc.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").ToDictionary(p => p.Name, p => (
            p.Value.GetProperty("dtype").GetString()!,
            p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
            p.Value.GetProperty("data_offsets")[0].GetInt64(),
            p.Value.GetProperty("data_offsets")[1].GetInt64()));
        // The data section is exactly the tensors, back to back, each its elements times the dtype's size.
        var spans = entries.Values.OrderBy(e => e.Item3).ToList();
        Assert.Equal(0, spans[0].Item3);
        for (var i = 1; i < spans.Count; i++) Assert.Equal(spans[i - 1].Item4, spans[i].Item3);
        Assert.Equal(bytes.Length - 8 - n, spans[^1].Item4);
        foreach (var e in entries.Values)
            Assert.Equal(e.Item2.Aggregate(1L, (a, b) => a * b) * (e.Item1 is "F32" or "I32" ? 4 : 8), e.Item4 - e.Item3);
        return entries;
    }

    [Fact]
    public void Saved_model_must_reproduce_its_test_accuracy_predict_images_and_read_as_safetensors()
    {
        using var store = new TempStore();
        var (model, stdout) = (trained.Model, trained.Stdout);
        Assert.Contains("model: " + model, stdout);
        Assert.Contains("vs baselines (Fashion-MNIST)", stdout);
        var measured = TestAccuracy().Match(stdout);
        Assert.True(measured.Success, stdout);

        // model.json: the architecture as the dict given, the input, the classes, and the weights' hash.
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "model.json"))))
        {
            var root = doc.RootElement;
            Assert.Equal("nasactors-model/1", root.GetProperty("format").GetString());
            Assert.Equal("darts", root.GetProperty("space").GetString());
            var given = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Path.Combine(CliProcess.RepoRoot, Tutorial)))!;
            Assert.Equal(given.Keys.Order(), root.GetProperty("architecture").EnumerateObject().Select(p => p.Name).Order());
            Assert.Equal(10, root.GetProperty("classes").GetArrayLength());
            Assert.Equal("Ankle boot", root.GetProperty("classes")[9].GetString());
            Assert.Equal(28, root.GetProperty("input").GetProperty("height").GetInt32());
        }
        var tensors = ReadSafetensorsHeader(Path.Combine(model, "model.safetensors"));
        Assert.True(tensors.Count > 20, $"{tensors.Count} tensors");
        Assert.All(tensors.Keys, k => Assert.DoesNotContain("momentum", k)); // the model alone, no optimizer state
        Assert.Contains(tensors, t => t.Value.DType == "F32" && t.Value.Shape.Length == 4); // convolution kernels

        // evaluate: the saved model gives the test accuracy the experiment measured.
        (var code, stdout, var stderr) = CliProcess.Run(Short, "evaluate", model);
        Assert.True(code == 0, $"evaluate failed ({code}):\n{stdout}\n{stderr}");
        var evaluated = EvaluatedAccuracy().Match(stdout);
        Assert.True(evaluated.Success, stdout);
        Assert.Equal((measured.Groups[1].Value, "test"), (evaluated.Groups[1].Value, evaluated.Groups[2].Value));
        Assert.Contains("confusion matrix", stdout);
        Assert.Contains("9 Ankle boot", stdout);
        (code, stdout, stderr) = CliProcess.Run(Short, "evaluate", model, "--data", "validation");
        Assert.True(code == 0 && stdout.Contains("on the validation split"), $"evaluate --data validation failed ({code}):\n{stdout}\n{stderr}");

        // predict: an IDX file and PNG files of the same images give the same classes.
        var (idx, pixels) = WriteIdx(store.Path, 12);
        (code, stdout, stderr) = CliProcess.Run(Short, "predict", model, idx, "--top", "3");
        Assert.True(code == 0, $"predict failed ({code}):\n{stdout}\n{stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(12, lines.Length);
        Assert.All(lines, l => Assert.Equal(3, Regex.Matches(l, @"\d+\.\d %").Count));
        var pngs = Directory.CreateDirectory(Path.Combine(store.Path, "pngs")).FullName;
        for (var i = 0; i < 3; i++) WritePng(Path.Combine(pngs, $"img{i}.png"), pixels[i], 28);
        (code, stdout, stderr) = CliProcess.Run(Short, "predict", model, pngs);
        Assert.True(code == 0, $"predict on PNGs failed ({code}):\n{stdout}\n{stderr}");
        var fromPng = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, fromPng.Length);
        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith($"img{i}.png", fromPng[i]);
            Assert.Equal(TopClass(lines[i]), TopClass(fromPng[i]));
        }
    }

    /// <summary>The first class name of a prediction line ("NAME  Class 12.3 %  ...").</summary>
    private static string TopClass(string line) => Regex.Match(line, @"^\S+\s+(.+?) \d+\.\d %").Groups[1].Value;

    [Fact]
    public void Model_commands_must_refuse_bad_input_in_one_line_with_exit_2()
    {
        using var store = new TempStore();
        var model = trained.Model;
        void Refused(string mustMention, params string[] args) => BadInputTests.AssertUserError(CliProcess.Run(Short, args), mustMention);

        Refused("is not a saved model", "evaluate", store.Path);                     // a folder without model.json
        Refused("is not a saved model", "predict", Path.Combine(store.Path, "nope"), TestImages);
        Refused("--data train is not a split", "evaluate", model, "--data", "train");
        Refused("--top 0 is not a positive whole number", "predict", model, TestImages, "--top", "0");
        Refused("not found", "predict", model, Path.Combine(store.Path, "missing.idx"));
        var (small, _) = WriteIdx(store.Path, 2, side: 32);
        Refused("holds 32x32 grayscale images, but the model takes 1x28x28", "predict", model, small);
        Refused("is not an IDX image file", "predict", model, Path.Combine(model, "model.json"));
        var pngs = Directory.CreateDirectory(Path.Combine(store.Path, "big")).FullName;
        WritePng(Path.Combine(pngs, "a.png"), new byte[32 * 32], 32);
        Refused("is 32x32, but the model takes 28x28", "predict", model, pngs);

        // A model whose architecture is of another space, and one whose weights were damaged.
        var copy = Path.Combine(store.Path, "copy");
        Directory.CreateDirectory(copy);
        foreach (var f in Directory.GetFiles(model)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        var json = File.ReadAllText(Path.Combine(copy, "model.json"));
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        node["architecture"] = System.Text.Json.Nodes.JsonNode.Parse("{\"stage0/block0\": \"shuffle_3x3\"}");
        File.WriteAllText(Path.Combine(copy, "model.json"), node.ToJsonString());
        Refused("the architecture is not one of space darts", "evaluate", copy);
        File.WriteAllText(Path.Combine(copy, "model.json"), json);
        var weights = Path.Combine(copy, "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0xff;
        File.WriteAllBytes(weights, bytes);
        Refused("is corrupt", "predict", copy, TestImages);
    }
}
