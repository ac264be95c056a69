using System.Diagnostics;

namespace NasActors.Cli.Tests;

/// <summary>A finished experiment to export (the synthetic backend: seconds), shared by the tests of one class.</summary>
public sealed class FinishedExperiment : IDisposable
{
    private readonly TempStore _tmp = new();
    public string Store => _tmp.Path;
    public const string Name = "e";

    public FinishedExperiment()
    {
        var (code, _, err) = CliProcess.Run(TimeSpan.FromMinutes(3), "search", "--config", "hocon/smoke.conf", "--name", Name, "--store", Store,
            "--set", "trainers.backend=synthetic", "--set", "trainers.synthetic-cost=1ms");
        if (code != 0) throw new InvalidOperationException($"the search to export failed ({code}): {err}");
    }

    public void Dispose() => _tmp.Dispose();
}

/// <summary>
/// `--out` of `nas export` and `nas gen-config`: a regular file or new path is written atomically; a device or pipe is
/// written into and stays what it was; a symbolic link (to anything but a device or pipe) and a directory are refused
/// with one line; `-` is standard output.
/// </summary>
public sealed class OutputFileTests(FinishedExperiment done) : IClassFixture<FinishedExperiment>
{
    private static readonly TimeSpan T = TimeSpan.FromMinutes(1);

    internal static string FileType(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("stat", ["-c", "%F", path]) { RedirectStandardOutput = true })!;
        var type = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return type;
    }

    private static void MkFifo(string path)
    {
        using var p = Process.Start("mkfifo", [path])!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    private (int Code, string Out, string Err) Export(string outPath) =>
        CliProcess.Run(T, "export", FinishedExperiment.Name, "--store", done.Store, "--out", outPath);

    private static (int Code, string Out, string Err) GenConfig(string outPath) =>
        CliProcess.Run(T, "gen-config", "--space", "spos-shufflenet", "--strategy", "random", "--out", outPath);

    private string ExpectedJson() => CliProcess.Run(T, "export", FinishedExperiment.Name, "--store", done.Store).Out;

    [Fact]
    public void Export_to_dev_null_must_write_into_it_and_leave_it_a_character_device()
    {
        Assert.Equal("character special file", FileType("/dev/null"));
        var r = Export("/dev/null");
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal("character special file", FileType("/dev/null"));
        var g = GenConfig("/dev/null");
        Assert.True(g.Code == 0, g.Err);
        Assert.Equal("character special file", FileType("/dev/null"));
    }

    [Fact]
    public void Export_to_dev_full_must_fail_with_one_line_saying_the_disk_is_full()
    {
        BadInputTests.AssertUserError(Export("/dev/full"), "no space left");
        Assert.Equal("character special file", FileType("/dev/full"));
        BadInputTests.AssertUserError(GenConfig("/dev/full"), "disk full");
        Assert.Equal("character special file", FileType("/dev/full"));
    }

    [Fact]
    public void Export_to_dash_or_dev_stdout_must_write_standard_output()
    {
        var expected = ExpectedJson();
        Assert.StartsWith("{", expected);
        var dash = Export("-");
        Assert.True(dash.Code == 0, dash.Err);
        Assert.Equal(expected, dash.Out);
        var stdout = Export("/dev/stdout");
        Assert.True(stdout.Code == 0, stdout.Err);
        Assert.Equal(expected, stdout.Out);
        Assert.Equal("symbolic link", FileType("/dev/stdout"));
    }

    [Fact]
    public void Export_must_refuse_a_symbolic_link_and_leave_it_and_its_target_alone()
    {
        using var tmp = new TempStore();
        var target = Path.Combine(tmp.Path, "real.json");
        File.WriteAllText(target, "mine");
        var link = Path.Combine(tmp.Path, "link.json");
        File.CreateSymbolicLink(link, target);
        var dangling = Path.Combine(tmp.Path, "dangling.json");
        File.CreateSymbolicLink(dangling, Path.Combine(tmp.Path, "nowhere.json"));
        foreach (var r in new[] { Export(link), GenConfig(link) })
            BadInputTests.AssertUserError(r, link + " is a symbolic link");
        BadInputTests.AssertUserError(Export(dangling), dangling + " is a symbolic link");
        Assert.Equal("symbolic link", FileType(link));
        Assert.Equal("symbolic link", FileType(dangling));
        Assert.Equal("mine", File.ReadAllText(target));
        Assert.False(File.Exists(Path.Combine(tmp.Path, "nowhere.json")));
        Assert.Equal(3, tmp.Entries().Length); // no temp files left
    }

    [Fact]
    public void Export_through_a_symbolic_link_to_a_device_must_write_into_the_device()
    {
        using var tmp = new TempStore();
        var link = Path.Combine(tmp.Path, "null");
        File.CreateSymbolicLink(link, "/dev/null");
        var r = Export(link);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal("symbolic link", FileType(link));
        Assert.Equal("character special file", FileType("/dev/null"));
    }

    [Fact]
    public async Task Export_and_gen_config_must_write_into_a_fifo_and_leave_it_a_fifo()
    {
        using var tmp = new TempStore();
        var fifo = Path.Combine(tmp.Path, "pipe");
        MkFifo(fifo);
        foreach (var (run, mustStart) in new (Func<(int, string, string)>, string)[] { (() => Export(fifo), "{"), (() => GenConfig(fifo), "# random on spos-shufflenet") })
        {
            // A reader on the other end (the writer's open blocks until there is one).
            using var reader = Process.Start(new ProcessStartInfo("cat", [fifo]) { RedirectStandardOutput = true })!;
            var read = reader.StandardOutput.ReadToEndAsync();
            var (code, _, err) = run();
            Assert.True(code == 0, err);
            Assert.True(reader.WaitForExit(30_000));
            Assert.StartsWith(mustStart, await read);
            Assert.Equal("fifo", FileType(fifo));
        }
        Assert.Single(tmp.Entries());
    }

    [Fact]
    public void Export_must_replace_a_regular_file_whole_and_refuse_a_directory()
    {
        using var tmp = new TempStore();
        var file = Path.Combine(tmp.Path, "out.json");
        File.WriteAllText(file, "old");
        var r = Export(file);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(ExpectedJson(), File.ReadAllText(file));
        Assert.Equal("regular file", FileType(file));
        BadInputTests.AssertUserError(Export(tmp.Path), tmp.Path + " is a directory");
        // gen-config keeps refusing an existing file.
        BadInputTests.AssertUserError(GenConfig(file), file + " exists");
        Assert.Single(tmp.Entries());
    }
}
