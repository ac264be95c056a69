using System.Text.Json;
using System.Text.RegularExpressions;

namespace NasActors.Cli.Tests;

/// <summary>
/// `nas train ARCH.json`: one architecture of the NNI tutorial trained from scratch with the DARTS tricks
/// (hocon/train-smoke.conf), killed with SIGKILL mid-epoch and in the test, resumed, and ending with the same weights as
/// an uninterrupted run; and every bad input refused in one line with nothing written.
/// </summary>
public sealed partial class TrainTests
{
    private static readonly TimeSpan Long = JournalKill.Long;
    private const string Smoke = "hocon/train-smoke.conf";
    private const string Tutorial = "examples/darts/nni-tutorial-darts-clipped.json";

    [GeneratedRegex(@"weights ([0-9a-f]{64}): (\S+)")]
    private static partial Regex WeightsLine();

    private static string Weights(string stdout)
    {
        var m = WeightsLine().Match(stdout);
        Assert.True(m.Success, "no weights line in:\n" + stdout);
        Assert.True(File.Exists(m.Groups[2].Value), $"the weights file {m.Groups[2].Value} is missing");
        return m.Groups[1].Value;
    }

    private static int Count(List<(string Pid, string Manifest, string Payload)> e, string manifest) => JournalKill.Count(e, manifest);

    private const string Epoch = "nas.event.retrain-epoch-completed.v2";
    private const string Round = "nas.event.retrain-round-completed.v2";
    private const string Slice = "nas.event.retrain-slice-completed.v2";
    private const string Done = "nas.event.retrain-result.v2";

    [Fact]
    public void Train_must_survive_kill9_mid_epoch_and_in_the_test_and_end_with_the_same_weights()
    {
        using var store = new TempStore();
        var (code, stdout, stderr) = CliProcess.Run(Long, "train", Tutorial, "--config", Smoke, "--name", "straight", "--store", store.Path);
        Assert.True(code == 0, $"uninterrupted run failed ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("trained from scratch for 3 epochs: test accuracy", stdout);
        Assert.Contains("params", stdout);
        Assert.Contains("FLOPs", stdout);
        var reference = Weights(stdout);
        // Every epoch's checkpoint was released once the next was journaled: only the trained weights stay.
        Assert.Equal([reference + ".ckpt"], Directory.GetFiles(Path.Combine(store.Path, "straight", "checkpoints")).Select(Path.GetFileName));

        var db = Path.Combine(store.Path, "killed", "journal.db");
        // 1. Mid-epoch: the first epoch is journaled and a round of the second (4 rounds per epoch in the smoke config).
        var at = JournalKill.When(db, e => Count(e, Epoch) >= 1 && Count(e, Round) >= 4, "train", Tutorial, "--config", Smoke, "--name", "killed", "--store", store.Path);
        Assert.InRange(Count(at, Epoch), 1, 2);
        Assert.Equal(Count(at, Epoch) + Count(at, Round), Count(at, Slice)); // the next round's slice is not in: the kill landed inside it
        Assert.Equal(0, Count(at, Done));

        // 2. The test: every epoch is journaled, the result is not.
        at = JournalKill.When(db, e => Count(e, Epoch) == 3, "resume", "killed", "--store", store.Path);
        Assert.Equal(0, Count(at, Done));

        (code, stdout, stderr) = CliProcess.Run(Long, "resume", "killed", "--store", store.Path);
        Assert.True(code == 0, $"final resume failed ({code}):\n{stdout}\n{stderr}");
        Assert.Equal(reference, Weights(stdout));
        var events = JournalReader.Events(db);
        Assert.Equal((3, 9, 12, 1), (Count(events, Epoch), Count(events, Round), Count(events, Slice), Count(events, Done))); // nothing trained twice
        var epochs = events.Where(e => e.Manifest == Epoch).Select(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("Epoch").GetInt32());
        Assert.Equal([0, 1, 2], epochs);

        (code, stdout, stderr) = CliProcess.Run(Long, "status", "killed", "--store", store.Path);
        Assert.True(code == 0, $"status failed ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("finished", stdout);
    }

    [Fact]
    public void Search_with_retraining_must_survive_kill9_in_the_middle_of_a_retrain_epoch_and_save_the_same_model()
    {
        // The smoke search, then its best retrained for 2 epochs of 3 rounds on both trainers.
        string[] Args(string name, string store) => ["search", "--config", "hocon/smoke.conf", "--name", name, "--store", store,
            "--set", "retrain.epochs=2", "--set", "retrain.rounds-per-epoch=3", "--set", "retrain.batch-size=64"];
        using var store = new TempStore();
        var (code, stdout, stderr) = CliProcess.Run(Long, Args("straight", store.Path));
        Assert.True(code == 0, $"uninterrupted run failed ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("retrained from scratch (2 epochs): test accuracy", stdout);
        Assert.Contains("model: ", stdout);
        var reference = CliProcess.Export(store.Path, "straight");

        var db = Path.Combine(store.Path, "killed", "journal.db");
        var at = JournalKill.When(db, e => Count(e, Round) >= 1, Args("killed", store.Path));
        Assert.Equal(0, Count(at, Epoch)); // inside the first epoch: one of its rounds is journaled, not the epoch
        Assert.InRange(Count(at, Round), 1, 2);
        Assert.Equal(0, Count(at, Done));

        (code, stdout, stderr) = CliProcess.Run(Long, "resume", "killed", "--store", store.Path);
        Assert.True(code == 0, $"resume failed ({code}):\n{stdout}\n{stderr}");
        Assert.Equal(reference, CliProcess.Export(store.Path, "killed"));
        var events = JournalReader.Events(db);
        Assert.Equal((2, 4, 12, 1), (Count(events, Epoch), Count(events, Round), Count(events, Slice), Count(events, Done))); // 2 epochs x 3 rounds x 2 trainers, once each
        Assert.Equal(File.ReadAllBytes(Path.Combine(store.Path, "straight", "model", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(store.Path, "killed", "model", "model.safetensors")));
    }

    private static string Write(TempStore dir, string name, string text)
    {
        var path = Path.Combine(dir.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The tutorial's dict with <paramref name="change"/> applied to its key → value pairs.</summary>
    private static string Dict(Action<Dictionary<string, JsonElement>> change)
    {
        var d = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Path.Combine(CliProcess.RepoRoot, Tutorial)))!;
        change(d);
        return JsonSerializer.Serialize(d);
    }

    [Fact]
    public void Train_must_retrain_with_a_search_config_and_take_a_random_sample_list_of_one()
    {
        using var tmp = new TempStore();
        var (code, stdout, stderr) = CliProcess.Run(TimeSpan.FromMinutes(1), "random-sample", "--space", "spos-shufflenet", "-n", "1",
            "--config", "hocon/smoke.conf", "--out", Path.Combine(tmp.Path, "one.json"));
        Assert.True(code == 0, $"random-sample failed ({code}):\n{stdout}\n{stderr}");
        // The search's config (its spos-evolution section included) is what a user retrains the search's result with.
        (code, stdout, stderr) = CliProcess.Run(Long, "train", Path.Combine(tmp.Path, "one.json"), "--config", "hocon/smoke.conf",
            "--set", "retrain.epochs=1", "--name", "t", "--store", tmp.Path);
        Assert.True(code == 0, $"train failed ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("trained from scratch for 1 epochs: test accuracy", stdout);
        Weights(stdout);
        // An explicit strategy section is still refused, and so is a list of more than one.
        BadInputTests.AssertUserError(CliProcess.Run(TimeSpan.FromMinutes(1), "train", Path.Combine(tmp.Path, "one.json"), "--config", "hocon/smoke.conf",
            "--set", "strategies.spos-evolution.generations=2", "--name", "u", "--store", tmp.Path), "nas.strategies.spos-evolution");
        var two = Write(tmp, "two.json", "[" + Dict(_ => { }) + "," + Dict(_ => { }) + "]");
        BadInputTests.AssertUserError(CliProcess.Run(TimeSpan.FromMinutes(1), "train", two, "--name", "v", "--store", tmp.Path), "a list of 2 architectures");
    }

    [Fact]
    public void Train_must_refuse_bad_input_in_one_line_with_exit_2_and_write_nothing()
    {
        using var tmp = new TempStore();
        var store = Path.Combine(tmp.Path, "store");
        void Refused(string mustMention, params string[] args)
        {
            BadInputTests.AssertUserError(CliProcess.Run(TimeSpan.FromMinutes(1), ["train", .. args, "--name", "x", "--store", store]), mustMention);
            Assert.False(Directory.Exists(store), "something was written for: " + string.Join(" ", args));
        }

        var unknownOp = Write(tmp, "op.json", Dict(d => d["normal/op_3_1"] = JsonSerializer.SerializeToElement("conv_9x9")));
        Refused("conv_9x9", unknownOp, "--config", Smoke);
        Refused("space darts: architecture sets 'normal/op_3_1' to 'conv_9x9'", unknownOp); // the space inferred from the keys
        var missing = Write(tmp, "missing.json", Dict(d => d.Remove("reduce/input_4_1")));
        Refused("reduce/input_4_1", missing, "--config", Smoke);
        var badInput = Write(tmp, "input.json", Dict(d => d["normal/input_2_0"] = JsonSerializer.SerializeToElement(5)));
        Refused("normal/input_2_0", badInput, "--config", Smoke);
        Refused("no known space", Write(tmp, "foreign.json", "{\"conv1/kernel\": \"3x3\", \"fc/width\": 128}"));
        Refused("is not JSON", Write(tmp, "broken.json", "{\"normal/op_2_0\": "));
        Refused("not found", Path.Combine(tmp.Path, "nope.json"));

        // A trick the space cannot do: drop path and an auxiliary head on the SPOS blocks.
        var spos = Write(tmp, "spos.json", JsonSerializer.Serialize(Enumerable.Range(0, 3).SelectMany(s => Enumerable.Range(0, 2).Select(b => $"stage{s}/block{b}"))
            .ToDictionary(k => k, _ => "shuffle_3x3")));
        Refused("nas.retrain.drop-path", spos, "--set", "retrain.epochs=1", "--set", "retrain.drop-path=0.2");
        Refused("nas.retrain.auxiliary-weight", spos, "--set", "retrain.epochs=1", "--set", "retrain.auxiliary-weight=0.4");
        Refused("nas.retrain.epochs", spos); // nothing to train with the defaults
        Refused("nas.retrain.space.width", Tutorial, "--config", Smoke, "--set", "retrain.space.width=3");
    }
}
