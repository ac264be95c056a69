using NasActors.Core;
using NasActors.Runtime.Configuration;

namespace NasActors.Runtime.Tests.Configuration;

public sealed class NasSettingsTests
{
    private const string Source = "/experiments/my.conf";

    private static NasSettings Settings(string text) => NasSettings.Create(NasConfig.Parse(text, Source), Source);

    private static NasUserException Rejects(string text) => Assert.Throws<NasUserException>(() => Settings(text));

    [Fact]
    public void NasSettings_must_build_from_the_reference_defaults()
    {
        var s = Settings("");
        Assert.Equal("spos", s.Strategy);
        Assert.Equal(42, s.Seed);
        Assert.Equal(64, s.Train.BatchSize);
        Assert.Equal(0.1, s.Train.LearningRate);
        Assert.Equal(4e-5, s.Train.WeightDecay);
        Assert.Equal(600, s.Train.TotalSteps);
        Assert.Equal(50, s.Train.StepsPerRound);
        Assert.Equal(42, s.Train.Seed);
        Assert.Equal(16, s.Evolution.PopulationSize);
        Assert.Equal(4, s.Evolution.Generations);
        Assert.Equal(42, s.Evolution.Seed);
        Assert.Equal([32, 64, 128], s.Supernet.StageChannels.AsEnumerable());
        Assert.Equal(4, s.Supernet.Candidates.Length);
        Assert.Equal(["cpu"], s.Devices.AsEnumerable());
        Assert.Equal(TimeSpan.FromMinutes(10), s.LeaseTimeout);
        Assert.Equal(100, s.SnapshotEvery);
        Assert.Equal(5, s.ExportTopK);
        Assert.Equal(10_000, s.Data.ValidationSize);
        Assert.Equal(0, s.MaxFlops);
    }

    [Fact]
    public void NasSettings_must_build_from_every_shipped_experiment_file()
    {
        var dir = Path.Combine(RepoRoot(), "hocon");
        var files = Directory.GetFiles(dir, "*.conf");
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            var s = NasSettings.Create(NasConfig.Load(f, []), f);
            Assert.NotEmpty(s.Devices);
        }
    }

    [Theory]
    [InlineData("nas.train.batch-size = lots", "nas.train.batch-size")]
    [InlineData("nas.train.learning-rate = fast", "nas.train.learning-rate")]
    [InlineData("nas.experiment.seed = 1.5", "nas.experiment.seed")]
    [InlineData("nas.runtime.lease-timeout = soon", "nas.runtime.lease-timeout")]
    [InlineData("nas.supernet.stage-depths = [1, two]", "nas.supernet.stage-depths")]
    [InlineData("nas.train.batch-size { x = 1 }", "nas.train.batch-size")]
    public void NasSettings_must_name_the_key_and_file_of_a_value_of_the_wrong_type(string text, string key)
    {
        var e = Rejects(text);
        Assert.Contains(key, e.Message);
        Assert.Contains(Source, e.Message);
    }

    [Theory]
    [InlineData("nas.train.batch-size = 0", "nas.train.batch-size")]
    [InlineData("nas.train.momentum = 1.5", "nas.train.momentum")]
    [InlineData("nas.train.learning-rate = -0.1", "nas.train.learning-rate")]
    [InlineData("nas.train.learning-rate = NaN", "nas.train.learning-rate")]
    [InlineData("nas.data.train-limit = -1", "nas.data.train-limit")]
    [InlineData("nas.runtime.snapshot-every = 0", "nas.runtime.snapshot-every")]
    [InlineData("nas.runtime.lease-timeout = -5s", "nas.runtime.lease-timeout")]
    [InlineData("nas.search.max-flops = -1", "nas.search.max-flops")]
    [InlineData("nas.search.top-k = 17", "nas.search.top-k")]
    [InlineData("nas.search.mutation-probability = 0", "nas.search.mutation-probability")]
    [InlineData("nas.supernet.stage-channels = [30, 64, 128]", "nas.supernet.stage-channels")]
    [InlineData("nas.train.validation-images = 5000\nnas.data.validation-size = 4000", "nas.train.validation-images")]
    [InlineData("nas.experiment.strategy = darts", "nas.experiment.strategy")]
    public void NasSettings_must_name_the_key_of_a_value_out_of_range(string text, string key)
    {
        var e = Rejects(text);
        Assert.Contains(key, e.Message);
        Assert.Contains(Source, e.Message);
    }

    [Theory]
    [InlineData("[\"cuda:0\"]")]
    [InlineData("[cpu, \"cuda:1\", cpu]")]
    [InlineData("[\"cpu:2\"]")]
    public void NasSettings_must_accept_device_strings_and_leave_their_availability_to_the_backend(string devices)
    {
        var s = Settings($"nas.trainers.devices = {devices}");
        Assert.Equal(devices.Count(c => c == ',') + 1, s.Devices.Length);
    }

    [Theory]
    [InlineData("[gpu]", "gpu")]
    [InlineData("[\"cuda:-1\"]", "cuda:-1")]
    [InlineData("[\"cuda:\"]", "cuda:")]
    [InlineData("[cpu, tpu]", "tpu")]
    [InlineData("[]", "empty")]
    public void NasSettings_must_reject_a_device_that_is_not_cpu_or_cuda(string devices, string named)
    {
        var e = Rejects($"nas.trainers.devices = {devices}");
        Assert.Contains("nas.trainers.devices", e.Message);
        Assert.Contains(named, e.Message);
        Assert.Contains(Source, e.Message);
    }

    [Fact]
    public void NasSettings_must_take_set_overrides_over_the_file()
    {
        var text = NasConfig.ComposeText("nas.train.total-steps = 100\nnas.trainers.devices = [cpu]",
            ["train.total-steps=200", "trainers.devices=[cpu, cpu]", "experiment.strategy=random"]);
        var s = NasSettings.Create(NasConfig.Parse(text, Source), Source);
        Assert.Equal(200, s.Train.TotalSteps);
        Assert.Equal(2, s.Devices.Length);
        Assert.Equal("random", s.Strategy);
    }

    [Fact]
    public void NasSettings_must_share_cores_among_cpu_trainers_when_threads_are_not_set()
    {
        Assert.Equal(3, Settings("nas.trainers.intra-op-threads = 3").EffectiveThreads);
        var two = Settings("nas.trainers.devices = [cpu, cpu]");
        Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), two.EffectiveThreads);
    }

    [Fact]
    public void NasSettings_must_refuse_flops_limit_that_no_architecture_meets()
    {
        var space = Support.Spaces.Tiny();
        var costs = Support.Spaces.CostsOf(space);
        var e = Assert.Throws<NasUserException>(() => Settings("nas.search.max-flops = 5").CreateStrategy(space, costs));
        Assert.Contains("nas.search.max-flops", e.Message);
        Assert.Equal("random", Settings("nas.experiment.strategy = random").CreateStrategy(space, costs).Name);
        Assert.Equal("spos-evolution", Settings("").CreateStrategy(space, costs).Name);
    }

    internal static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "NasActors.slnx"))) return d.FullName;
        throw new InvalidOperationException("repository root (NasActors.slnx) not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void NasSettings_must_read_the_ENAS_section_with_its_documented_defaults()
    {
        var s = Settings("nas.experiment.strategy = enas\nnas.train.total-steps = 1000\nnas.train.steps-per-round = 50");
        Assert.True(s.IsEnas);
        Assert.Equal(16, s.Enas.Space.Channels);
        Assert.Equal(4, s.Enas.Space.Nodes);
        Assert.Equal(5, s.Enas.Space.Ops.Length);
        Assert.Equal(64, s.Enas.Controller.HiddenSize);
        Assert.Equal(5.0, s.Enas.Controller.Temperature);
        Assert.Equal(1.1, s.Enas.Controller.TanhConstant);
        Assert.Equal(0.0035, s.Enas.Controller.LearningRate);
        Assert.Equal(1e-4, s.Enas.Controller.EntropyWeight);
        Assert.Equal(5.0, s.Enas.Controller.GradClip);
        Assert.Equal(42, s.Enas.Controller.Seed);
        Assert.Equal(0.99, s.Enas.Reinforce.BaselineDecay);
        Assert.Equal(10, s.Enas.Reinforce.Epochs);
        Assert.Equal(30, s.Enas.Reinforce.StepsPerEpoch);
        Assert.Equal(10, s.Enas.Reinforce.SamplesPerUpdate);
        Assert.Equal(256, s.Enas.RewardImages);
        Assert.Equal(20, s.SupernetRounds);
    }

    [Theory]
    [InlineData("nas.train.total-steps = 1000\nnas.train.steps-per-round = 30\nnas.enas.epochs = 10", "does not divide")]
    [InlineData("nas.enas.controller.reward-images = 5000\nnas.data.validation-size = 4000\nnas.train.validation-images = 100", "nas.enas.controller.reward-images = 5000 exceeds")]
    [InlineData("nas.search.max-flops = 1000000", "apply to spos and random only")]
    [InlineData("nas.enas.ops = [sep_conv_3x3, conv_9x9]", "unknown op 'conv_9x9'")]
    [InlineData("nas.enas.ops = []", "nas.enas.ops is empty")]
    [InlineData("nas.enas.stages = 5", "nas.enas.stages = 5")]
    [InlineData("nas.enas.controller.baseline-decay = 1.5", "nas.enas.controller.baseline-decay")]
    [InlineData("nas.enas.controller.hidden-size = 0", "nas.enas.controller.hidden-size")]
    [InlineData("nas.enas.derive-samples = 0", "nas.enas.derive-samples")]
    [InlineData("nas.enas.controller.temprature = 2", "temprature")]
    public void NasSettings_must_reject_bad_ENAS_settings_with_the_key(string text, string expected)
    {
        var e = Rejects("nas.experiment.strategy = enas\nnas.train.total-steps = 1000\nnas.train.steps-per-round = 50\n" + text);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void NasSettings_must_fingerprint_ENAS_settings_only_for_ENAS()
    {
        const string enas = "nas.experiment.strategy = enas\nnas.train.total-steps = 1000\nnas.train.steps-per-round = 50\n";
        Assert.NotEqual(Settings(enas).ResultHash, Settings(enas + "nas.enas.controller.learning-rate = 0.01").ResultHash);
        Assert.NotEqual(Settings(enas).ResultHash, Settings(enas + "nas.enas.nodes = 3").ResultHash);
        // SPOS fingerprints ignore nas.enas, so SPOS experiments made before ENAS existed still resume.
        Assert.Equal(Settings("").ResultHash, Settings("nas.enas.nodes = 3").ResultHash);
    }
}
