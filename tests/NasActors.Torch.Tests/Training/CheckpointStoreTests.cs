using System.Security.Cryptography;
using NasActors.Core;
using NasActors.Torch.Training;

namespace NasActors.Torch.Tests.Training;

public class CheckpointStoreTests
{
    private static List<CheckpointTensor> Sample() =>
    [
        new("model/w", CheckpointDType.Float32, [2, 3], BitConverter.GetBytes(1.5f).Concat(new byte[20]).ToArray()),
        new("step", CheckpointDType.Int64, [1], BitConverter.GetBytes(42L)),
        new("a/double", CheckpointDType.Float64, [], BitConverter.GetBytes(double.Epsilon)),
        new("model/count", CheckpointDType.Int32, [0], []),
    ];

    [Fact]
    public void Checkpoint_must_round_trip_exactly_and_be_named_by_its_sha256()
    {
        using var dir = new TempDirectory();
        var store = new CheckpointStore(dir.Combine("ckpts"));

        var hash = store.Write(Sample());
        var loaded = store.Load(hash);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(store.PathOf(hash)))), hash);
        var expected = Sample().OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Count, loaded.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Name, loaded[i].Name);
            Assert.Equal(expected[i].DType, loaded[i].DType);
            Assert.Equal(expected[i].Shape, loaded[i].Shape);
            Assert.Equal(expected[i].Data, loaded[i].Data);
        }
    }

    [Fact]
    public void Checkpoint_must_not_depend_on_tensor_order_and_must_write_once()
    {
        using var dir = new TempDirectory();
        var store = new CheckpointStore(dir.Path);

        var a = store.Write(Sample());
        var b = store.Write(Enumerable.Reverse(Sample()));

        Assert.Equal(a, b);
        Assert.Single(Directory.GetFiles(dir.Path)); // no temp files left behind either
    }

    [Fact]
    public void Checkpoint_must_detect_a_corrupt_file()
    {
        using var dir = new TempDirectory();
        var store = new CheckpointStore(dir.Path);
        var hash = store.Write(Sample());
        var path = store.PathOf(hash);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<NasUserException>(() => store.Load(hash));

        Assert.Contains(hash, e.Message);
        Assert.Contains("corrupt", e.Message);
        Assert.Contains("backup", e.Message); // the fix it names
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Checkpoint_must_report_a_missing_file_and_a_bad_name()
    {
        using var dir = new TempDirectory();
        var store = new CheckpointStore(dir.Path);

        var missing = new string('a', 64);
        Assert.Contains("missing", Assert.Throws<NasUserException>(() => store.Load(missing)).Message);
        Assert.Throws<NasUserException>(() => store.Load("../etc/passwd"));
    }

    [Fact]
    public void Checkpoint_with_valid_hash_but_garbage_content_must_be_reported_corrupt()
    {
        using var dir = new TempDirectory();
        var store = new CheckpointStore(dir.Path);
        var garbage = "not a checkpoint"u8.ToArray();
        var hash = Convert.ToHexStringLower(SHA256.HashData(garbage));
        File.WriteAllBytes(store.PathOf(hash), garbage);

        Assert.Contains("corrupt", Assert.Throws<NasUserException>(() => store.Load(hash)).Message);
    }

    [Fact]
    public void Average_of_identical_checkpoints_must_be_bit_identical()
    {
        var a = Sample().OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var mean = CheckpointAverage.Mean([a, a, a], ["x", "y", "z"]);

        Assert.Equal(CheckpointStore.Serialize(a), CheckpointStore.Serialize(mean));
    }

    [Fact]
    public void Average_must_average_floats_and_keep_the_first_integers()
    {
        CheckpointTensor F(float v) => new("w", CheckpointDType.Float32, [1], BitConverter.GetBytes(v));
        CheckpointTensor I(long v) => new("step", CheckpointDType.Int64, [1], BitConverter.GetBytes(v));

        var mean = CheckpointAverage.Mean([[I(3), F(1f)], [I(5), F(2f)]], ["a", "b"]);

        Assert.Equal(3L, BitConverter.ToInt64(mean[0].Data));
        Assert.Equal(1.5f, BitConverter.ToSingle(mean[1].Data));
        Assert.Throws<NasUserException>(() => CheckpointAverage.Mean([[F(1f)], [I(1)]], ["a", "b"]));
    }
}
