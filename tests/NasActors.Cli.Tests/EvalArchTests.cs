using System.Text.Json;
using NasActors.Cli.Tests.Observability;

namespace NasActors.Cli.Tests;

/// <summary>`nas eval-arch`: given architectures scored with a finished smoke experiment's shared weights, as its strategy scored them.</summary>
[Collection(SmokeRunCollection.Name)]
public sealed class EvalArchTests(SmokeRun run)
{
    private static readonly TimeSpan T = TimeSpan.FromMinutes(2);

    [Fact]
    public void Eval_arch_must_reproduce_the_scores_the_search_journaled_for_its_top_architectures()
    {
        using var tmp = new TempStore();
        var export = Path.Combine(tmp.Path, "export.json");
        var (code, stdout, stderr) = CliProcess.Run(T, "export", SmokeRun.Name, "--store", run.Store, "--out", export);
        Assert.True(code == 0, stdout + stderr);
        using var top = JsonDocument.Parse(File.ReadAllText(export));
        var expected = top.RootElement.GetProperty("top").EnumerateArray().Select(t => t.GetProperty("metrics")).ToList();
        Assert.True(expected.Count >= 2, "the smoke export should list several architectures");

        var scored = Path.Combine(tmp.Path, "scored.json");
        (code, stdout, stderr) = CliProcess.Run(T, "eval-arch", SmokeRun.Name, export, "--store", run.Store, "--out", scored);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains($"{expected.Count} architecture(s) of {export} scored with the shared weights", stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(scored));
        var results = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(expected.Count, results.Count);
        foreach (var r in results)
        {
            // Same checkpoint, same BN recalibration and validation images: the very figures of the journal.
            var want = expected[r.GetProperty("index").GetInt32() - 1];
            Assert.Equal(want.GetProperty("accuracy").GetDouble(), r.GetProperty("accuracy").GetDouble());
            Assert.Equal(want.GetProperty("loss").GetDouble(), r.GetProperty("loss").GetDouble());
            Assert.Equal(want.GetProperty("params").GetInt64(), r.GetProperty("params").GetInt64());
        }
        var accuracies = results.Select(r => r.GetProperty("accuracy").GetDouble()).ToList();
        Assert.Equal(accuracies.OrderDescending(), accuracies); // ranked
    }

    [Fact]
    public void Eval_arch_must_refuse_bad_input_in_one_line()
    {
        var darts = Path.Combine(CliProcess.RepoRoot, "examples", "darts", "nni-tutorial-darts.json");
        BadInputTests.AssertUserError(CliProcess.Run(T, "eval-arch", SmokeRun.Name, darts, "--store", run.Store), "architecture #1 is not one of space spos-shufflenet");
        BadInputTests.AssertUserError(CliProcess.Run(T, "eval-arch", SmokeRun.Name, darts, "--store", run.Store, "--split", "train"), "--split train is not a split");
        BadInputTests.AssertUserError(CliProcess.Run(T, "eval-arch", "no-such", darts, "--store", run.Store), "no experiment 'no-such'");
        BadInputTests.AssertUserError(CliProcess.Run(T, "eval-arch", SmokeRun.Name, "--store", run.Store), "needs an experiment name and an architecture file");
    }

    [Fact]
    public void Derive_must_score_the_population_best_as_the_search_journaled_them_and_refuse_bad_input()
    {
        using var tmp = new TempStore();
        var export = Path.Combine(tmp.Path, "export.json");
        var (code, stdout, stderr) = CliProcess.Run(T, "export", SmokeRun.Name, "--store", run.Store, "--out", export, "--top", "3");
        Assert.True(code == 0, stdout + stderr);
        using var top = JsonDocument.Parse(File.ReadAllText(export));
        var expected = top.RootElement.GetProperty("top").EnumerateArray().ToList();

        var derived = Path.Combine(tmp.Path, "derived.json");
        (code, stdout, stderr) = CliProcess.Run(T, "derive", SmokeRun.Name, "-n", "3", "--store", run.Store, "--out", derived);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("3 architecture(s) derived by spos-evolution (seed", stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(derived));
        var results = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(expected.Count, results.Count);
        foreach (var r in results)
        {
            // The population's best in rank order, rescored with the same last shared weights: the journal's figures.
            var want = expected[r.GetProperty("index").GetInt32() - 1];
            Assert.Equal(CliProcess.Choices(want.GetProperty("architecture")), CliProcess.Choices(r.GetProperty("architecture")));
            Assert.Equal(want.GetProperty("metrics").GetProperty("accuracy").GetDouble(), r.GetProperty("accuracy").GetDouble());
        }

        BadInputTests.AssertUserError(CliProcess.Run(T, "derive", SmokeRun.Name, "-n", "0", "--store", run.Store), "-n 0 is not a positive whole number");
        BadInputTests.AssertUserError(CliProcess.Run(T, "derive", SmokeRun.Name, "--seed", "x", "--store", run.Store), "--seed x is not an integer");
        BadInputTests.AssertUserError(CliProcess.Run(T, "derive", "no-such", "--store", run.Store), "no experiment 'no-such'");
        BadInputTests.AssertUserError(CliProcess.Run(T, "derive", "--store", run.Store), "`nas derive` needs an experiment name");
    }
}
