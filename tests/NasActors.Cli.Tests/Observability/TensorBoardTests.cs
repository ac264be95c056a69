using System.Text.Json;

namespace NasActors.Cli.Tests.Observability;

/// <summary>The event files a search writes under STORE/NAME/tb/, parsed here independently of the writer.</summary>
[Collection(SmokeRunCollection.Name)]
public sealed class TensorBoardTests(SmokeRun run)
{
    [Fact]
    public void Search_must_write_tensorboard_scalars_at_journal_steps()
    {
        var files = TfEvents.ReadDirectory(Path.Combine(run.Directory, "tb"));
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.Equal("brain.Event:2", f.Events[0].FileVersion));
        var events = files.SelectMany(f => f.Events).ToList();
        var scalars = TfEvents.Scalars(events);

        // Supernet training: smoke.conf trains 15 rounds; loss and accuracy once per round, at the round's number.
        Assert.Equal(Enumerable.Range(1, 15).Select(i => (long)i), scalars["round/train_loss"].Select(p => p.Step));
        Assert.Equal(Enumerable.Range(1, 15).Select(i => (long)i), scalars["round/train_accuracy"].Select(p => p.Step));
        Assert.All(scalars["round/train_loss"], p => Assert.InRange(p.Value, 0.01f, 5f));
        Assert.All(scalars["round/train_accuracy"], p => Assert.InRange(p.Value, 0f, 1f));
        Assert.Contains("round/images_per_second", scalars.Keys);
        Assert.All(scalars["round/images_per_second"], p => Assert.True(p.Value > 0));

        // Search: best so far after each of the 18 scores; per generation (0, 1, 2) best, mean and a histogram.
        Assert.Equal(Enumerable.Range(1, 18).Select(i => (long)i), scalars["scored/best_accuracy"].Select(p => p.Step));
        var best = scalars["scored/best_accuracy"].Select(p => p.Value).ToList();
        Assert.Equal(best.Order(), best); // best so far never falls
        Assert.Equal([0L, 1, 2], scalars["generation/best_accuracy"].Select(p => p.Step));
        Assert.Equal([6f, 6, 6], scalars["generation/candidates"].Select(p => p.Value));
        var histograms = events.SelectMany(e => e.Values.Where(v => v.Histogram).Select(v => (e.Step, v.Tag))).ToList();
        Assert.Equal([(0L, "generation/accuracy"), (1L, "generation/accuracy"), (2L, "generation/accuracy")], histograms);

        // The result agrees with the export (float precision), and every tag's steps rise: nothing written twice.
        using var export = JsonDocument.Parse(CliProcess.Export(run.Store, SmokeRun.Name));
        var test = export.RootElement.GetProperty("test").GetProperty("accuracy").GetDouble();
        Assert.Equal((float)test, Assert.Single(scalars["result/test_accuracy"]).Value);
        Assert.Equal(best[^1], Assert.Single(scalars["result/best_validation_accuracy"]).Value);
        foreach (var (tag, points) in scalars)
            Assert.True(points.Zip(points.Skip(1), (a, b) => b.Step > a.Step).All(up => up), $"{tag}: steps {string.Join(",", points.Select(p => p.Step))}");
        // Wall times of the data are Unix seconds (TensorBoard's relative axis), not zero. (TorchSharp 0.107 stamps the
        // file-version record of a new file with DateTime ticks; TensorBoard's charts use the points' own times.)
        Assert.All(events.Where(e => e.Values.Count > 0), e => Assert.InRange(e.WallTime, 1.6e9, 4e9));
    }

    [Fact]
    public void Resume_of_a_finished_search_must_add_no_tensorboard_points()
    {
        var tb = Path.Combine(run.Directory, "tb");
        var before = TfEvents.ScalarsIn(tb).Sum(kv => kv.Value.Count);
        var (code, stdout, stderr) = CliProcess.Run(JournalKill.Long, "resume", SmokeRun.Name, "--store", run.Store);
        Assert.True(code == 0, stdout + stderr);
        var after = TfEvents.ScalarsIn(tb).Sum(kv => kv.Value.Count);
        Assert.Equal(before, after);
    }
}
