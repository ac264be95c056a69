using System.Text.Json;

namespace NasActors.Cli.Tests;

/// <summary>
/// A search space written by a user (examples/MnistSkip: NNI's MNIST example with LayerChoice, InputChoice, ValueChoice)
/// runs both ways: as a library (the example program) and as a plugin of `nas` (nas.plugins), resuming exactly after kill -9.
/// test.sh builds the example before the tests.
/// </summary>
public sealed class UserSpaceTests
{
    private static readonly TimeSpan Long = JournalKill.Long;
    private static readonly string Example = Path.Combine(CliProcess.RepoRoot, "examples", "MnistSkip");
    private static readonly string PluginDll = Path.Combine(Example, "bin", "Release", "net10.0", "MnistSkip.dll");

    /// <summary>The example's smoke search, with the example's assembly as a plugin (full paths: the file is in a temp store).</summary>
    private static string PluginConfig(TempStore store, string? plugins = null)
    {
        Assert.True(File.Exists(PluginDll), $"{PluginDll} is missing: build examples/MnistSkip (test.sh does)");
        var file = Path.Combine(store.Path, "plugin.conf");
        File.WriteAllText(file, $"include required({JsonSerializer.Serialize(Path.Combine(Example, "smoke.conf"))})\n" +
                                $"nas.plugins = [{plugins ?? JsonSerializer.Serialize(PluginDll)}]\n");
        return file;
    }

    private static int Count(List<(string Pid, string Manifest, string Payload)> e, string kind) => JournalKill.Count(e, "nas.event." + kind + ".v2");

    [Fact]
    public void Plugin_space_must_search_status_export_and_survive_kill9_identically()
    {
        using var store = new TempStore();
        var config = PluginConfig(store);
        var (code, stdout, stderr) = CliProcess.Run(Long, "search", "--config", config, "--name", "straight", "--store", store.Path);
        Assert.True(code == 0, $"uninterrupted run failed ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("random on mnist-skip (5 choices, 48 architectures)", stdout);
        var reference = CliProcess.Export(store.Path, "straight");
        var json = JsonDocument.Parse(reference).RootElement;
        Assert.Equal("mnist-skip", json.GetProperty("search_space").GetString());
        Assert.Equal(8, json.GetProperty("scored").GetInt32());
        (code, stdout, stderr) = CliProcess.Run(Long, "status", "straight", "--store", store.Path);
        Assert.True(code == 0, stdout + stderr);
        (code, stdout, stderr) = CliProcess.Run(Long, "registry", "--config", config);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("  mnist-skip ", stdout);
        Assert.Matches(@"  enas-rl .*searches: .*mnist-skip", stdout);

        var db = Path.Combine(store.Path, "killed", "journal.db");
        var at = JournalKill.When(db, e => Count(e, "round-completed") >= 2, "search", "--config", config, "--name", "killed", "--store", store.Path);
        Assert.InRange(Count(at, "round-completed"), 2, 5);
        (code, stdout, stderr) = CliProcess.Run(Long, "resume", "killed", "--store", store.Path);
        Assert.True(code == 0, $"resume failed ({code}):\n{stdout}\n{stderr}");
        Assert.Equal(reference, CliProcess.Export(store.Path, "killed"));
    }

    [Theory]
    [InlineData("regularized-evolution", "strategies.regularized-evolution { population-size = 4, sample-size = 2, cycles = 4, batch = 2 }", 8)]
    [InlineData("enas-rl", "strategies.enas-rl { epochs = 3, derive-samples = 4, controller { hidden-size = 16, steps-per-epoch = 2, samples-per-update = 3, reward-images = 64 } }", 0)]
    public void Every_strategy_must_search_a_plugin_space(string strategy, string section, int scored)
    {
        using var store = new TempStore();
        Assert.True(File.Exists(PluginDll), $"{PluginDll} is missing: build examples/MnistSkip (test.sh does)");
        var file = Path.Combine(store.Path, strategy + ".conf");
        // The example's common settings, cut to smoke size; 60 steps on 2 trainers = 3 rounds.
        File.WriteAllText(file, $"include required({JsonSerializer.Serialize(Path.Combine(Example, "common.conf"))})\n" +
                                $"nas {{\n  plugins = [{JsonSerializer.Serialize(PluginDll)}]\n  strategy = {strategy}\n" +
                                "  data { train-limit = 3000, validation-size = 1000 }\n" +
                                "  train { total-steps = 60, steps-per-round = 10, bn-recalibration-batches = 1, validation-images = 128, eval-batch-size = 256 }\n" +
                                $"  retrain {{ epochs = 0 }}\n  {section}\n}}\n");
        var (code, stdout, stderr) = CliProcess.Run(Long, "search", "--config", file, "--name", "s", "--store", store.Path);
        Assert.True(code == 0, $"{strategy} on mnist-skip failed ({code}):\n{stdout}\n{stderr}");
        var json = JsonDocument.Parse(CliProcess.Export(store.Path, "s")).RootElement;
        Assert.Equal("mnist-skip", json.GetProperty("search_space").GetString());
        Assert.Equal(strategy, json.GetProperty("strategy").GetString());
        if (scored > 0) Assert.Equal(scored, json.GetProperty("scored").GetInt32());
        Assert.Contains("\"skipcon\":", stdout);
    }

    [Fact]
    public void Example_program_must_run_a_search_as_a_library_and_resume_when_run_again()
    {
        using var store = new TempStore();
        Assert.True(File.Exists(PluginDll), $"{PluginDll} is missing: build examples/MnistSkip (test.sh does)");
        using (var p = CliProcess.Program(PluginDll, "smoke", store.Path))
        {
            Assert.Equal(0, p.Wait(Long));
            Assert.Contains("best architecture", p.Stdout);
            Assert.Contains("\"conv1\":", p.Stdout);
            Assert.Contains("\"skipcon\":", p.Stdout);
            // The space exists only in the program, so the hint names the program, not `nas`.
            Assert.Contains($"export: dotnet MnistSkip.dll export mnist-skip-smoke --store {store.Path}", p.Stdout);
        }
        var first = ExportThroughExample(store, "mnist-skip-smoke");
        // Run again: the experiment exists, so the program resumes it (already finished: the same result).
        using (var p = CliProcess.Program(PluginDll, "smoke", store.Path))
        {
            Assert.Equal(0, p.Wait(Long));
            Assert.Contains("resuming experiment mnist-skip-smoke", p.Stdout);
        }
        Assert.Equal(first, ExportThroughExample(store, "mnist-skip-smoke"));
        Assert.Equal("mnist-skip", JsonDocument.Parse(first).RootElement.GetProperty("search_space").GetString());
    }

    /// <summary>The space lives in the example program only, so its experiments export through it.</summary>
    private static string ExportThroughExample(TempStore store, string name)
    {
        var file = Path.Combine(store.Path, name + ".json");
        using var p = CliProcess.Program(PluginDll, "export", name, "--store", store.Path, "--out", file);
        Assert.True(p.Wait(TimeSpan.FromMinutes(1)) == 0, p.Stdout + p.Stderr);
        return File.ReadAllText(file);
    }

    [Theory]
    [InlineData("bad-shapes", "LayerChoice 'conv': candidate 'k5' outputs [1, 4, 24, 24] but 'k3' outputs [1, 4, 26, 26]")]
    [InlineData("shared-key", "key 'op' is used by 'first' (layer: relu, tanh) and by 'second' (layer: relu, sigmoid)")]
    [InlineData("no-choices", "search space 'no-choices' has no choices")]
    public void Invalid_user_spaces_must_be_one_line_naming_the_key_exit_2_and_write_nothing(string space, string expected)
    {
        using var store = new TempStore();
        var dll = Path.Combine(CliProcess.RepoRoot, "tests", "TestPlugins", "bin", "Release", "net10.0", "TestPlugins.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build tests/TestPlugins (test.sh does)");
        var file = Path.Combine(store.Path, "bad.conf");
        File.WriteAllText(file, $"nas {{ plugins = [{JsonSerializer.Serialize(dll)}], space = {space}, strategy = random }}\n");
        var (code, stdout, stderr) = CliProcess.Run(TimeSpan.FromMinutes(1), "search", "--config", file, "--name", "bad", "--store", store.Path);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", stdout + stderr);
        Assert.False(Directory.Exists(Path.Combine(store.Path, "bad")), "nothing may be written");
    }

    [Fact]
    public void Bad_plugins_must_be_one_line_exit_2_and_write_nothing()
    {
        using var store = new TempStore();
        var garbage = Path.Combine(store.Path, "garbage.dll");
        File.WriteAllText(garbage, "not an assembly");
        var copy = Path.Combine(store.Path, "copy", "MnistSkip.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(PluginDll, copy);
        var noModules = Path.Combine(Path.GetDirectoryName(CliProcess.Dll)!, "Akka.dll");
        foreach (var (plugins, expected) in new[]
                 {
                     (JsonSerializer.Serialize(Path.Combine(store.Path, "missing.dll")), "not found"),
                     (JsonSerializer.Serialize(garbage), "not a loadable .NET assembly"),
                     (JsonSerializer.Serialize(noModules), "has no public SpaceModule or StrategyModule"),
                     (JsonSerializer.Serialize(PluginDll) + ", " + JsonSerializer.Serialize(copy), "space 'mnist-skip' is registered twice"),
                 })
        {
            var config = PluginConfig(store, plugins);
            var (code, stdout, stderr) = CliProcess.Run(TimeSpan.FromMinutes(1), "search", "--config", config, "--name", "bad", "--store", store.Path);
            Assert.Equal(2, code);
            Assert.Contains(expected, stderr);
            Assert.Single(stderr.Trim().Split('\n'));
            Assert.DoesNotContain("   at ", stdout + stderr);
            Assert.False(Directory.Exists(Path.Combine(store.Path, "bad")), "nothing may be written");
        }
    }
}
