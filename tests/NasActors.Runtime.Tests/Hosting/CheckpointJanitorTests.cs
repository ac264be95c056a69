using NasActors.Runtime.Hosting;
using NasActors.Runtime.Tests.Support;

namespace NasActors.Runtime.Tests.Hosting;

/// <summary>The real janitor (the actor tests use a recording stand-in): it deletes released checkpoints, and nothing else.</summary>
public sealed class CheckpointJanitorTests : IDisposable
{
    private readonly TempStore _dir = new();
    private string Checkpoints => Path.Combine(_dir.Root, "checkpoints");

    public void Dispose() => _dir.Dispose();

    private string Hash(char c) => new(c, 64);

    private string Put(string fileName, string? dir = null)
    {
        var path = Path.Combine(dir ?? Checkpoints, fileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "x");
        return path;
    }

    [Fact]
    public void CheckpointJanitor_must_delete_released_checkpoints_and_keep_the_others()
    {
        var released = Put(Hash('a') + ".ckpt");
        var kept = Put(Hash('b') + ".ckpt");
        new CheckpointJanitor(Checkpoints).Release([Hash('a')]);
        Assert.False(File.Exists(released));
        Assert.True(File.Exists(kept));
        // Already gone (a kill after the delete, then the same event replayed): no error.
        new CheckpointJanitor(Checkpoints).Release([Hash('a')]);
    }

    [Theory]
    [InlineData("../outside")] // a path out of the directory
    [InlineData("batch-0")] // not a content hash
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // upper case: never one of ours
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 63 characters
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/")] // 64 with a separator
    [InlineData("")]
    public void CheckpointJanitor_must_refuse_names_that_are_not_content_hashes(string name)
    {
        // A file the name would reach if the guard let it through, inside and outside the directory.
        var inside = Put(name.TrimEnd('/') + ".ckpt");
        var outside = Put("outside.ckpt", _dir.Root);
        new CheckpointJanitor(Checkpoints).Release([name]);
        Assert.True(File.Exists(inside));
        Assert.True(File.Exists(outside));
    }

    [Fact]
    public void CheckpointJanitor_must_leave_temporary_and_other_files_alone()
    {
        var temp = Put($".{Hash('c')}.0123.tmp");
        var other = Put(Hash('c'));
        new CheckpointJanitor(Checkpoints).Release([Hash('c')]);
        Assert.True(File.Exists(temp));
        Assert.True(File.Exists(other));
    }
}
