using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.OneShot;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies.Enas;
using NasActors.Core.Strategies.Random;
using NasActors.Core.Strategies.Spos;
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
        Assert.Equal(("spos-shufflenet", "spos-evolution"), (s.SpaceName, s.StrategyName));
        Assert.Equal(("spos-shufflenet", "spos-evolution"), (s.SpaceModule.Name, s.StrategyModule.Name));
        Assert.Equal(42, s.Seed);
        Assert.Equal(64, s.Train.BatchSize);
        Assert.Equal(0.1, s.Train.LearningRate);
        Assert.Equal(4e-5, s.Train.WeightDecay);
        Assert.Equal(600, s.Train.TotalSteps);
        Assert.Equal(50, s.Train.StepsPerRound);
        Assert.Equal(42, s.Train.Seed);
        Assert.Equal(new SposEvolutionSettings(16, 4, 5, 6, 0.1, 6, 42), Assert.IsType<SposEvolutionSettings>(s.StrategySettings));
        var spec = Assert.IsType<SupernetSpec>(s.SpaceSpec);
        Assert.Equal([32, 64, 128], spec.StageChannels.AsEnumerable());
        Assert.Equal(4, spec.Candidates.Length);
        Assert.Equal(["cpu"], s.Devices.AsEnumerable());
        Assert.Equal(TimeSpan.FromMinutes(10), s.LeaseTimeout);
        Assert.Equal(5, s.ExportTopK);
        Assert.Equal(10_000, s.Data.ValidationSize);
        Assert.Equal((0L, 0L, 0), (s.MaxFlops, s.MaxParams, s.Retrain.Epochs));
        Assert.False(s.Synthetic);
        Assert.False(s.KeepAllCheckpoints);
        Assert.Empty(s.BackendNeeds);
        Assert.Equal(new OneShotSettings(42, 1, 600, 50, RetrainSettings.Off), s.OneShot);
        Assert.Equal(12, s.OneShot.Rounds);
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

    public static IEnumerable<object[]> Pairs() =>
        from space in Catalog.Spaces from strategy in Catalog.Strategies select new object[] { space.Name, strategy.Name };

    /// <summary>Every registered pair either parses into a plan that starts, or is refused in one line naming both and what would work.</summary>
    [Theory]
    [MemberData(nameof(Pairs))]
    public void NasSettings_must_parse_every_registered_space_and_strategy_pair(string space, string strategy)
    {
        var text = $"nas.space = {space}\nnas.strategy = {strategy}";
        var spaceModule = Catalog.Space(space);
        var strategyModule = Catalog.Strategy(strategy);
        var spec = spaceModule.ReadSpec(NasConfig.Section(NasConfig.Parse(text, Source), "nas.spaces." + space, Source));
        if (strategy == Core.Strategies.Train.TrainModule.StrategyName)
        {
            // Training needs an architecture of the space (what `nas train` writes) and epochs.
            var arch = NniArchitectureJson.ToJson(spaceModule.CreateSpace(spec).Sample(Core.Randomness.Xoshiro256.FromSeed(1)), spaceModule.CreateSpace(spec));
            text += $"\nnas.retrain.epochs = 1\nnas.strategies.train.architecture = {System.Text.Json.JsonSerializer.Serialize(arch)}";
        }
        if (strategyModule.Incompatibility(spaceModule, spaceModule.Traits(spec)) is { } why)
        {
            var e = Rejects(text);
            Assert.Contains($"nas.strategy = {strategy} cannot search nas.space = {space}", e.Message);
            Assert.Contains(why, e.Message);
            Assert.DoesNotContain("\n", e.Message);
            return;
        }
        var s = Settings(text);
        Assert.Equal((space, strategy), (s.SpaceName, s.StrategyName));
        var searchSpace = spaceModule.CreateSpace(s.SpaceSpec);
        var plan = s.CreatePlan(searchSpace, costs: null);
        Assert.Equal(strategy, plan.Strategy);
        var first = Assert.IsType<PlanStep.Run>(plan.Next(plan.Initial)); // the first work: shared weights or the policy
        Assert.NotEmpty(first.Work);
        Assert.Equal(strategy, plan.Status(plan.Initial).Strategy);
        var isDefault = (space, strategy) == ("spos-shufflenet", "spos-evolution");
        Assert.Equal(isDefault, Settings("").ResultHash == s.ResultHash); // the pair is part of the fingerprint
    }

    [Fact]
    public void NasSettings_must_name_the_registered_names_when_a_space_or_strategy_is_unknown()
    {
        var strategy = Rejects("nas.strategy = proxyless");
        Assert.Contains("nas.strategy = 'proxyless'", strategy.Message);
        Assert.All(Catalog.Strategies, m => Assert.Contains(m.Name, strategy.Message));
        Assert.DoesNotContain("\n", strategy.Message);

        var space = Rejects("nas.space = nasbench201");
        Assert.Contains("nas.space = 'nasbench201'", space.Message);
        Assert.All(Catalog.Spaces, m => Assert.Contains(m.Name, space.Message));
        Assert.DoesNotContain("\n", space.Message);

        var dataset = Rejects("nas.data.dataset = mnist");
        Assert.Contains("nas.data.dataset = 'mnist' is not a known dataset", dataset.Message);
        Assert.All(Catalog.Datasets, d => Assert.Contains(d.Name, dataset.Message));
        Assert.EndsWith($"(in {Source})", dataset.Message);
    }

    [Fact]
    public void NasSettings_must_refuse_the_synthetic_backend_for_a_strategy_that_needs_a_real_one()
    {
        var e = Rejects("nas.strategy = enas-rl\nnas.trainers.backend = synthetic");
        Assert.Contains("nas.trainers.backend = synthetic", e.Message);
        Assert.Contains("enas-rl", e.Message);
        Assert.Contains("nas.trainers.backend = torch", e.Message);
        Assert.Contains(Source, e.Message);
        // The population strategies need nothing but training and scoring: synthetic runs them.
        foreach (var strategy in new[] { "random", "spos-evolution", "regularized-evolution" })
            Assert.True(Settings($"nas.strategy = {strategy}\nnas.trainers.backend = synthetic").Synthetic);
    }

    [Theory]
    [InlineData("nas.train.batch-size = lots", "nas.train.batch-size")]
    [InlineData("nas.train.learning-rate = fast", "nas.train.learning-rate")]
    [InlineData("nas.experiment.seed = 1.5", "nas.experiment.seed")]
    [InlineData("nas.runtime.lease-timeout = soon", "nas.runtime.lease-timeout")]
    [InlineData("nas.spaces.spos-shufflenet.stage-depths = [1, two]", "nas.spaces.spos-shufflenet.stage-depths")]
    [InlineData("nas.strategies.spos-evolution.generations = many", "nas.strategies.spos-evolution.generations")]
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
    [InlineData("nas.runtime.lease-timeout = -5s", "nas.runtime.lease-timeout")]
    [InlineData("nas.runtime.keep-checkpoints = some", "nas.runtime.keep-checkpoints")]
    [InlineData("nas.trainers.backend = tpu", "nas.trainers.backend")]
    [InlineData("nas.search.max-flops = -1", "nas.search.max-flops")]
    [InlineData("nas.strategies.spos-evolution.top-k = 17", "nas.strategies.spos-evolution.top-k")]
    [InlineData("nas.strategies.spos-evolution.mutation-probability = 0", "nas.strategies.spos-evolution.mutation-probability")]
    [InlineData("nas.strategies.spos-evolution.population-size = 0", "nas.strategies.spos-evolution.population-size")]
    [InlineData("nas.spaces.spos-shufflenet.stage-channels = [30, 64, 128]", "nas.spaces.spos-shufflenet.stage-channels")]
    [InlineData("nas.spaces.spos-shufflenet.candidates = [shuffle_3x3, conv_9x9]", "nas.spaces.spos-shufflenet.candidates")]
    [InlineData("nas.train.validation-images = 5000\nnas.data.validation-size = 4000", "nas.train.validation-images")]
    [InlineData("nas.strategy = random\nnas.strategies.random.top-k = 65", "nas.strategies.random.top-k")]
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
            ["train.total-steps=200", "trainers.devices=[cpu, cpu]", "strategy=random", "strategies.random.generations = 2"]);
        var s = NasSettings.Create(NasConfig.Parse(text, Source), Source);
        Assert.Equal(200, s.Train.TotalSteps);
        Assert.Equal(2, s.Devices.Length);
        Assert.Equal("random", s.StrategyName);
        Assert.Equal(2, Assert.IsType<RandomSettings>(s.StrategySettings).Generations);
        Assert.Equal(new OneShotSettings(42, 2, 100, 50, RetrainSettings.Off with { Slots = 2 }), s.OneShot); // the total split over the trainers
    }

    [Fact]
    public void NasSettings_must_share_cores_among_cpu_trainers_when_threads_are_not_set()
    {
        Assert.Equal(3, Settings("nas.trainers.intra-op-threads = 3").EffectiveThreads);
        var two = Settings("nas.trainers.devices = [cpu, cpu]");
        Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), two.EffectiveThreads);
    }

    [Fact]
    public void NasSettings_must_refuse_a_flops_limit_that_no_architecture_meets_when_the_plan_is_made()
    {
        var space = Support.Spaces.Tiny();
        var costs = Support.Spaces.CostsOf(space);
        var e = Assert.Throws<NasUserException>(() => Settings("nas.search.max-flops = 5").CreatePlan(space, costs));
        Assert.Contains("nas.search.max-flops", e.Message);
        // Read-only (replaying a journal: no costs, no proposals) the limit is not checked.
        Assert.Equal("spos-evolution", Settings("nas.search.max-flops = 5").CreatePlan(space, null, readOnly: true).Strategy);
        Assert.Equal("random", Settings("nas.strategy = random").CreatePlan(space, costs).Strategy);
        Assert.Equal("spos-evolution", Settings("").CreatePlan(space, costs).Strategy);
    }

    internal static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "src", "NasActors.Runtime")) && Directory.Exists(Path.Combine(d.FullName, "hocon"))) return d.FullName;
        throw new InvalidOperationException("repository root (with src/NasActors.Runtime and hocon/) not found above " + AppContext.BaseDirectory);
    }

    private const string Enas = "nas.space = enas-micro\nnas.strategy = enas-rl\nnas.train.total-steps = 600\nnas.train.steps-per-round = 50\n";

    [Fact]
    public void NasSettings_must_read_the_ENAS_sections_with_their_documented_defaults()
    {
        var s = Settings(Enas);
        var space = Assert.IsType<EnasMicroSpec>(s.SpaceSpec);
        Assert.Equal((16, 4, 1, 3), (space.Channels, space.Nodes, space.CellsPerStage, space.Stages));
        Assert.Equal(5, space.Ops.Length);
        var enas = Assert.IsType<EnasSettings>(s.StrategySettings);
        Assert.Equal(64, enas.Controller.HiddenSize);
        Assert.Equal(5.0, enas.Controller.Temperature);
        Assert.Equal(1.1, enas.Controller.TanhConstant);
        Assert.Equal(0.0035, enas.Controller.LearningRate);
        Assert.Equal(1e-4, enas.Controller.EntropyWeight);
        Assert.Equal(5.0, enas.Controller.GradClip);
        Assert.Equal(42, enas.Controller.Seed);
        Assert.Equal(new ReinforceSettings(6, 30, 10, 0.99, 32), enas.Reinforce);
        Assert.Equal((256, 1), (enas.RewardImages, enas.PathEvery));
        Assert.Equal(12, s.OneShot.Rounds);
        Assert.Equal(enas.Controller, Assert.Single(s.BackendNeeds)); // trainers run the policy: they need its spec
    }

    [Theory]
    [InlineData("nas.train.total-steps = 1000\nnas.train.steps-per-round = 30\nnas.strategies.enas-rl.epochs = 10", "does not divide")]
    [InlineData("nas.strategies.enas-rl.controller.reward-images = 5000\nnas.data.validation-size = 4000\nnas.train.validation-images = 100", "nas.strategies.enas-rl.controller.reward-images = 5000 exceeds")]
    [InlineData("nas.search.max-flops = 1000000", "apply to population strategies only")]
    [InlineData("nas.spaces.enas-micro.ops = [sep_conv_3x3, conv_9x9]", "unknown op 'conv_9x9'")]
    [InlineData("nas.spaces.enas-micro.ops = []", "nas.spaces.enas-micro.ops is empty")]
    [InlineData("nas.spaces.enas-micro.stages = 5", "nas.spaces.enas-micro.stages")]
    [InlineData("nas.strategies.enas-rl.controller.baseline-decay = 1.5", "nas.strategies.enas-rl.controller.baseline-decay")]
    [InlineData("nas.strategies.enas-rl.controller.hidden-size = 0", "nas.strategies.enas-rl.controller.hidden-size")]
    [InlineData("nas.strategies.enas-rl.derive-samples = 0", "nas.strategies.enas-rl.derive-samples")]
    [InlineData("nas.strategies.enas-rl.controller.temprature = 2", "temprature")]
    public void NasSettings_must_reject_bad_ENAS_settings_with_the_key(string text, string expected)
    {
        var e = Rejects(Enas + text);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void NasSettings_must_keep_the_fingerprint_of_a_retrain_experiment_started_before_rounds_per_epoch()
    {
        // A `nas train` experiment's config.conf as the version before nas.retrain.rounds-per-epoch wrote it, and the
        // fingerprint that version journaled for it (its resume was refused while rounds were part of the fingerprint).
        const string Before = """
            nas {
              space = spos-shufflenet
              experiment { seed = 42 }
              spaces.spos-shufflenet { stem-channels = 16, stage-channels = [32, 64, 128], stage-depths = [2, 2, 2] }
              train { validation-images = 2000 }
              retrain { epochs = 6, batch-size = 96 }
              trainers { devices = [cpu, cpu], intra-op-threads = 1 }
            }
            nas.strategy = train
            nas.strategies.train.architecture = "{\"stage0/block0\":\"shuffle_7x7\",\"stage0/block1\":\"shuffle_7x7\",\"stage1/block0\":\"shuffle_3x3\",\"stage1/block1\":\"shuffle_7x7\",\"stage2/block0\":\"shuffle_5x5\",\"stage2/block1\":\"shuffle_5x5\"}"

            """;
        Assert.StartsWith("f0155286faa9", Settings(Before).ResultHash);
        Assert.Equal(Settings(Before).ResultHash, Settings(Before + "nas.retrain.rounds-per-epoch = 1").ResultHash);
        Assert.NotEqual(Settings(Before).ResultHash, Settings(Before + "nas.retrain.rounds-per-epoch = 10").ResultHash);
        // The same for crop-padding, flip and include-validation: at their defaults, what ran before they existed.
        Assert.Equal(Settings(Before).ResultHash, Settings(Before + "nas.retrain { crop-padding = 0, flip = off, include-validation = off }").ResultHash);
        Assert.NotEqual(Settings(Before).ResultHash, Settings(Before + "nas.retrain.include-validation = on").ResultHash);
        Assert.True(Settings(Before + "nas.retrain.include-validation = on").Retrain.IncludeValidation);
        Assert.NotEqual(Settings(Before).ResultHash, Settings(Before + "nas.retrain.crop-padding = 2").ResultHash);
        Assert.NotEqual(Settings(Before).ResultHash, Settings(Before + "nas.retrain.flip = on").ResultHash);
        Assert.Equal((2, true), (Settings(Before + "nas.retrain { crop-padding = 2, flip = on }").Retrain.CropPadding, Settings(Before + "nas.retrain.flip = on").Retrain.Flip));
    }

    [Theory]
    [InlineData("nas.retrain.crop-padding = 2", "already cropped and flipped by nas.data.augment = on")]
    [InlineData("nas.retrain.flip = on", "set nas.retrain.crop-padding = 0 and flip = off")]
    [InlineData("nas.retrain.crop-padding = 17", "nas.retrain.crop-padding")]
    public void NasSettings_must_refuse_a_retrain_crop_or_flip_that_cannot_apply(string text, string expected)
    {
        var e = Rejects("nas.data.dataset = cifar10\nnas.space = darts\nnas.retrain.epochs = 2\n" + text);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("nas.retrain.crop-padding = 2")]
    [InlineData("nas.retrain.flip = on")]
    public void NasSettings_must_accept_a_retrain_crop_or_flip_where_nas_data_does_not_crop_and_flip(string text)
    {
        // nas.data.augment is off, or the dataset is not one it augments: the retrain's own crop and flip apply.
        Assert.True(Settings("nas.data { dataset = cifar10, augment = off }\nnas.space = darts\nnas.retrain.epochs = 2\n" + text).Retrain.Enabled);
        Assert.True(Settings("nas.retrain.epochs = 2\n" + text).Retrain.Enabled);
    }

    [Fact]
    public void NasSettings_must_fingerprint_what_a_search_computes_and_nothing_else()
    {
        Assert.Equal(Settings(Enas).ResultHash, Settings(Enas).ResultHash);
        Assert.NotEqual(Settings(Enas).ResultHash, Settings(Enas + "nas.strategies.enas-rl.controller.learning-rate = 0.01").ResultHash);
        Assert.NotEqual(Settings(Enas).ResultHash, Settings(Enas + "nas.spaces.enas-micro.nodes = 3").ResultHash);
        Assert.NotEqual(Settings("").ResultHash, Settings("nas.strategies.spos-evolution.generations = 5").ResultHash);
        Assert.NotEqual(Settings("").ResultHash, Settings("nas.spaces.spos-shufflenet.stem-channels = 8").ResultHash);
        Assert.NotEqual(Settings("").ResultHash, Settings("nas.strategy = random").ResultHash);
        Assert.NotEqual(Settings("").ResultHash, Settings("nas.retrain.epochs = 10").ResultHash);
        Assert.NotEqual(Settings("nas.retrain.epochs = 10").ResultHash, Settings("nas.retrain.epochs = 10\nnas.retrain.cutout = 4").ResultHash);
        Assert.Equal(Settings("").ResultHash, Settings("nas.retrain.epochs = 0").ResultHash);
        // Operational settings do not change what is computed: an experiment resumes with them changed.
        Assert.Equal(Settings("").ResultHash, Settings("nas.runtime.lease-timeout = 1m\nnas.export.top-k = 9\nnas.runtime.keep-checkpoints = all").ResultHash);
    }
}
