using System.Text.Json;

namespace NasActors.Cli.Tests;

/// <summary>`nas random-sample`: K distinct valid architectures of a space as NNI dicts, the same for the same seed.</summary>
public sealed class RandomSampleTests
{
    private static readonly TimeSpan T = TimeSpan.FromMinutes(1);

    [Fact]
    public void Random_sample_must_write_k_distinct_architectures_with_every_key_of_the_space()
    {
        using var tmp = new TempStore();
        var file = Path.Combine(tmp.Path, "sample.json");
        var (code, stdout, stderr) = CliProcess.Run(T, "random-sample", "--space", "darts", "-n", "5", "--seed", "3", "--out", file);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("wrote 5 random architectures of darts", stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var archs = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(5, archs.Count);
        Assert.Equal(5, archs.Select(a => a.GetRawText()).Distinct().Count());
        // NNI's DARTS keys: per cell type, nodes 2..5, two slots each, an op and an input.
        Assert.All(archs, a => Assert.Equal(32, a.EnumerateObject().Count()));
        Assert.All(archs, a => Assert.InRange(a.GetProperty("normal/input_5_1").GetInt32(), 0, 4));
        // Seeded: the same command prints the same list.
        var (code2, again, _) = CliProcess.Run(T, "random-sample", "--space", "darts", "-n", "5", "--seed", "3");
        Assert.Equal(0, code2);
        Assert.Equal(File.ReadAllText(file), again);
    }

    [Theory]
    [InlineData("needs -n", "random-sample", "--space", "darts")]
    [InlineData("-n 0 is not a positive whole number", "random-sample", "--space", "darts", "-n", "0")]
    [InlineData("no-such-space", "random-sample", "--space", "no-such-space", "-n", "2")]
    [InlineData("has only 64 architectures", "random-sample", "--space", "spos-shufflenet", "-n", "65", "--config", "hocon/smoke.conf")]
    public void Random_sample_must_reject_bad_input_in_one_line(string mustMention, params string[] args) =>
        BadInputTests.AssertUserError(CliProcess.Run(T, args), mustMention);
}
