using System.Text.Json;

namespace NasActors.Cli.Tests;

/// <summary>
/// The DARTS cell space through the CLI: DARTS searches it (resuming after kill -9), a single-path strategy (random) searches it, and `nas draw` draws the cells of
/// the NNI tutorial's two architectures (examples/darts) and of an export like the tutorial's pictures.
/// </summary>
public sealed class DartsTests
{
    private static readonly string Examples = Path.Combine(CliProcess.RepoRoot, "examples", "darts");
    private static readonly TimeSpan Short = TimeSpan.FromMinutes(1);

    private static string Tutorial(string file) => File.ReadAllText(Path.Combine(Examples, file));

    [Fact]
    public void Random_search_on_darts_must_run_export_and_draw_its_best_cell()
    {
        using var store = new TempStore();
        var (code, stdout, stderr) = CliProcess.Run(JournalKill.Long, "search", "--config", "hocon/darts-random-smoke.conf", "--name", "d", "--store", store.Path);
        Assert.True(code == 0, $"search failed ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("random on darts", stdout);

        var export = CliProcess.Export(store.Path, "d");
        var json = JsonDocument.Parse(export).RootElement;
        Assert.Equal("darts", json.GetProperty("search_space").GetString());
        Assert.Equal(6, json.GetProperty("scored").GetInt32());
        var best = json.GetProperty("top")[0].GetProperty("architecture");
        // The seed dict's keys, in its order.
        using var seed = JsonDocument.Parse(Tutorial("nni-tutorial-darts.json"));
        Assert.Equal(seed.RootElement.EnumerateObject().Select(p => p.Name), best.EnumerateObject().Select(p => p.Name));

        var file = Path.Combine(store.Path, "best.json");
        File.WriteAllText(file, export);
        (code, stdout, stderr) = CliProcess.Run(Short, "draw", file, "--out", Path.Combine(store.Path, "cells"));
        Assert.True(code == 0, stdout + stderr);
        Assert.True(File.Exists(Path.Combine(store.Path, "cells", "best-reduce.png")));
    }

    [Fact]
    public void Darts_search_must_survive_kill9_in_an_epoch_between_epochs_and_while_testing_and_export_identically()
    {
        const string smoke = "hocon/darts-smoke.conf";
        using var store = new TempStore();
        var (code, stdout, stderr) = CliProcess.Run(JournalKill.Long, "search", "--config", smoke, "--name", "straight", "--store", store.Path);
        Assert.True(code == 0, $"uninterrupted run failed ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("darts on darts", stdout);
        Assert.Contains("epoch 1/2", stdout);
        Assert.Contains("cell normal 2=", stdout); // the current argmax cells in the progress lines
        Assert.Contains("derived from the weights after epoch 2", stdout);
        var reference = CliProcess.Export(store.Path, "straight");
        var best = JsonDocument.Parse(reference).RootElement.GetProperty("top")[0].GetProperty("architecture");
        using (var seed = JsonDocument.Parse(Tutorial("nni-tutorial-darts.json")))
            Assert.Equal(seed.RootElement.EnumerateObject().Select(p => p.Name), best.EnumerateObject().Select(p => p.Name));

        const string epoch = "nas.event.architecture-epoch-completed.v2", round = "nas.event.round-completed.v2";
        var db = Path.Combine(store.Path, "killed", "journal.db");
        // 1. Inside epoch 1: its first round of weight and architecture steps is journaled, the epoch is not.
        var at = JournalKill.When(db, e => JournalKill.Count(e, round) >= 1, "search", "--config", smoke, "--name", "killed", "--store", store.Path);
        Assert.Equal(0, JournalKill.Count(at, epoch));
        // 2. Once epoch 1 has ended (its softmax weights journaled), in epoch 2.
        at = JournalKill.When(db, e => JournalKill.Count(e, epoch) >= 1, "resume", "killed", "--store", store.Path);
        Assert.InRange(JournalKill.Count(at, round), 2, 3);
        // 3. After the last epoch: deriving the cells and testing them.
        at = JournalKill.When(db, e => JournalKill.Count(e, epoch) >= 2, "resume", "killed", "--store", store.Path);
        Assert.Equal(4, JournalKill.Count(at, round));

        (code, stdout, stderr) = CliProcess.Run(JournalKill.Long, "resume", "killed", "--store", store.Path);
        Assert.True(code == 0, $"final resume failed ({code}):\n{stdout}\n{stderr}");
        Assert.Equal(reference, CliProcess.Export(store.Path, "killed"));
        // Nothing repeated: 2 epochs of 2 rounds, each epoch's weights journaled once.
        var events = JournalReader.Events(db);
        Assert.Equal(4, JournalKill.Count(events, round));
        Assert.Equal(2, JournalKill.Count(events, epoch));

        (code, stdout, _) = CliProcess.Run(Short, "status", "killed", "--store", store.Path);
        Assert.Equal(0, code);
        Assert.Contains("epoch 2/2", stdout);

        // `nas derive`: the derived cell first (the search's result), then distinct cells sampled from the weights.
        var derived = Path.Combine(store.Path, "derived.json");
        (code, stdout, stderr) = CliProcess.Run(JournalKill.Long, "derive", "killed", "-n", "3", "--store", store.Path, "--out", derived);
        Assert.True(code == 0, $"derive failed ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("3 architecture(s) derived by darts", stdout);
        var rows = JsonDocument.Parse(File.ReadAllText(derived)).RootElement.EnumerateArray().ToList();
        Assert.Equal(CliProcess.Choices(best), CliProcess.Choices(rows.Single(r => r.GetProperty("index").GetInt32() == 1).GetProperty("architecture")));
        Assert.Equal(3, rows.Select(r => r.GetProperty("architecture").GetRawText()).Distinct().Count());
    }

    [Theory]
    [InlineData("nni-tutorial-darts.json", "\"c_{k-1}\" -> \"0\" [label=\"sep_conv_3x3\"", "\"2\" -> \"3\" [label=\"sep_conv_5x5\"")]
    [InlineData("nni-tutorial-darts-clipped.json", "\"c_{k-1}\" -> \"3\" [label=\"sep_conv_3x3\"", "\"0\" -> \"3\" [label=\"skip_connect\"")]
    public void Draw_must_write_both_cells_as_dot_svg_and_png(string file, string normalEdge, string reduceEdge)
    {
        using var store = new TempStore();
        var dir = Path.Combine(store.Path, "out");
        var (code, stdout, stderr) = CliProcess.Run(Short, "draw", Path.Combine(Examples, file), "--out", dir);
        Assert.True(code == 0, stdout + stderr);

        var stem = Path.GetFileNameWithoutExtension(file);
        var normal = File.ReadAllText(Path.Combine(dir, stem + "-normal.dot"));
        var reduce = File.ReadAllText(Path.Combine(dir, stem + "-reduce.dot"));
        Assert.Contains(normalEdge, normal);
        Assert.Contains(reduceEdge, reduce);
        Assert.Contains("label=\"Normal cell\"", normal);
        Assert.Contains("label=\"Reduction cell\"", reduce);
        foreach (var dot in new[] { normal, reduce })
        {
            // 8 op edges (two per node) and 4 into the output; both inputs and the output drawn.
            Assert.Equal(12, dot.Split("->").Length - 1);
            Assert.Equal(8, dot.Split("[label=").Length - 1);
            Assert.Equal(4, dot.Split("-> \"c_{k}\"").Length - 1);
            Assert.Contains("\"c_{k-2}\" [fillcolor=darkseagreen2]", dot);
        }
        foreach (var cell in new[] { "normal", "reduce" })
        {
            var svg = File.ReadAllText(Path.Combine(dir, $"{stem}-{cell}.svg"));
            Assert.Contains("<svg", svg);
            Assert.Contains("sep_conv_3x3", svg);
            var png = File.ReadAllBytes(Path.Combine(dir, $"{stem}-{cell}.png"));
            Assert.True(png.Length > 5000, $"{cell} PNG is only {png.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        }
        Assert.Equal(6, Directory.GetFiles(dir).Length); // no temporary files left
    }

    [Theory]
    [InlineData("unknown op", "\"sep_conv_3x3\"", "\"conv_7x7\"", "conv_7x7")]
    [InlineData("missing key", "\"normal/op_2_0\": \"sep_conv_3x3\", ", "", "normal/op_2_0")]
    [InlineData("input index too large", "\"normal/input_3_1\": 2", "\"normal/input_3_1\": 3", "normal/input_3_1")]
    [InlineData("not JSON", "{", "[[", "not JSON")]
    public void Draw_must_refuse_a_bad_architecture_in_one_line_writing_nothing(string what, string from, string to, string named)
    {
        using var store = new TempStore();
        var text = Tutorial("nni-tutorial-darts.json");
        Assert.Contains(from, text);
        var file = Path.Combine(store.Path, "bad.json");
        File.WriteAllText(file, ReplaceFirst(text, from, to));
        var dir = Path.Combine(store.Path, "out");

        var (code, stdout, stderr) = CliProcess.Run(Short, "draw", file, "--out", dir);

        Assert.True(code == 2, $"{what}: exit {code}\n{stdout}\n{stderr}");
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains(named, stderr);
        Assert.False(Directory.Exists(dir), $"{what}: {dir} was created");
    }

    [Theory]
    [InlineData("nas.data.dataset=mnist", "nas.data.dataset = 'mnist'")]
    [InlineData("nas.data.directory=\"/nonexistent/cifar\"", "CIFAR-10 not found at '/nonexistent/cifar'")]
    [InlineData("nas.spaces.darts.dataset=fashion-mnist", "set nas.spaces.darts.dataset = cifar10")]
    [InlineData("nas.spaces.darts.dataset=imagenet", "nas.spaces.darts.dataset = 'imagenet'")]
    public void Search_must_refuse_bad_cifar_settings_in_one_line_creating_no_store(string setting, string named)
    {
        using var tmp = new TempStore();
        // A directory in the binary format with 10 images per batch file.
        var cifar = Path.Combine(tmp.Path, "cifar");
        Directory.CreateDirectory(cifar);
        foreach (var f in new[] { "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin" })
            File.WriteAllBytes(Path.Combine(cifar, f), new byte[10 * 3073]);
        var store = Path.Combine(tmp.Path, "store");

        var (code, stdout, stderr) = CliProcess.Run(Short, "search", "--config", "hocon/darts-random-smoke.conf", "--name", "c", "--store", store,
            "--set", "nas.data.dataset=cifar10", "--set", $"nas.data.directory={JsonSerializer.Serialize(cifar)}", "--set", "nas.spaces.darts.dataset=cifar10",
            "--set", "nas.data.validation-size=20", "--set", "nas.train.validation-images=16", "--set", setting);

        Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains(named, stderr);
        Assert.False(Directory.Exists(store));
    }

    private static string ReplaceFirst(string text, string from, string to)
    {
        var i = text.IndexOf(from, StringComparison.Ordinal);
        return text[..i] + to + text[(i + from.Length)..];
    }
}
