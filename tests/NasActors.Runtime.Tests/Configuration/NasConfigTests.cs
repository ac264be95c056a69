using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Runtime.Configuration;

namespace NasActors.Runtime.Tests.Configuration;

public sealed class NasConfigTests
{
    private const string Source = "/experiments/my.conf";

    [Fact]
    public void NasConfig_must_parse_the_embedded_reference_defaults()
    {
        var r = NasConfig.Reference;
        Assert.Equal("spos-shufflenet", r.GetString("nas.space"));
        Assert.Equal("spos-evolution", r.GetString("nas.strategy"));
        Assert.Equal(42, r.GetLong("nas.experiment.seed"));
        Assert.Equal(["cpu"], r.GetStringList("nas.trainers.devices"));
        Assert.Equal(TimeSpan.FromMinutes(10), r.GetTimeSpan("nas.runtime.lease-timeout"));
        Assert.False(r.HasPath("nas.runtime.snapshot-every"));
    }

    [Fact]
    public void NasConfig_must_hold_every_registered_space_and_strategy_section_with_its_defaults()
    {
        var r = NasConfig.Reference;
        foreach (var space in Catalog.Spaces) Assert.True(r.HasPath("nas.spaces." + space.Name), space.Name);
        foreach (var strategy in Catalog.Strategies) Assert.True(r.HasPath("nas.strategies." + strategy.Name), strategy.Name);
        Assert.Equal(16, r.GetInt("nas.strategies.spos-evolution.population-size"));
        Assert.Equal(64, r.GetInt("nas.strategies.enas-rl.controller.hidden-size"));
        Assert.Equal([32, 64, 128], r.GetIntList("nas.spaces.spos-shufflenet.stage-channels"));
    }

    [Fact]
    public void NasConfig_must_lay_the_user_text_over_the_reference()
    {
        var c = NasConfig.Parse("nas.train { batch-size = 8 }\nnas.strategies.spos-evolution.generations = 9", Source);
        Assert.Equal(8, c.GetInt("nas.train.batch-size"));
        Assert.Equal(9, c.GetInt("nas.strategies.spos-evolution.generations"));
        Assert.Equal(0.1, c.GetDouble("nas.train.learning-rate")); // untouched keys keep their defaults
        Assert.Equal(16, c.GetInt("nas.strategies.spos-evolution.population-size"));
    }

    [Theory]
    [InlineData("nas.train.learnig-rate = 0.2", "nas.train.learnig-rate")]
    [InlineData("nas { train { learnig-rate = 0.2 } }", "nas.train.learnig-rate")]
    [InlineData("nas.trainer.devices = [cpu]", "nas.trainer")]
    [InlineData("nass.seed = 1", "nass")]
    [InlineData("nas.strategies.spos-evolution.populaton-size = 3", "nas.strategies.spos-evolution.populaton-size")]
    [InlineData("nas.strategies.darts.epochs = 3", "nas.strategies.darts")]
    public void NasConfig_must_reject_an_unknown_key_naming_it_and_the_file(string text, string key)
    {
        var e = Assert.Throws<NasUserException>(() => NasConfig.Parse(text, Source));
        Assert.Contains(key, e.Message);
        Assert.Contains(Source, e.Message);
    }

    [Fact]
    public void NasConfig_must_list_the_known_keys_next_to_an_unknown_one()
    {
        var e = Assert.Throws<NasUserException>(() => NasConfig.Parse("nas.train.learnig-rate = 0.2", Source));
        Assert.Contains("learning-rate", e.Message);
    }

    /// <summary>Keys of format-1 configs (before the one-engine change) are refused with where they went.</summary>
    [Theory]
    [InlineData("nas.experiment.strategy = spos", "nas.experiment.strategy", "nas.strategy = spos-evolution")]
    [InlineData("nas.experiment { strategy = enas }", "nas.experiment.strategy", "nas.space = spos-shufflenet | enas-micro")]
    [InlineData("nas.supernet.stem-channels = 8", "nas.supernet", "nas.spaces.spos-shufflenet")]
    [InlineData("nas.supernet { stage-depths = [1, 2] }", "nas.supernet", "nas.spaces.spos-shufflenet")]
    [InlineData("nas.enas.epochs = 2", "nas.enas", "nas.strategies.enas-rl")]
    [InlineData("nas.enas.channels = 8", "nas.enas.channels", "nas.spaces.enas-micro.channels")]
    [InlineData("nas.enas.controller { hidden-size = 32 }", "nas.enas", "nas.strategies.enas-rl")]
    [InlineData("nas.search.population-size = 6", "nas.search.population-size", "nas.strategies.spos-evolution.population-size")]
    [InlineData("nas.search.generations = 3", "nas.search.generations", "nas.strategies.spos-evolution.generations")]
    [InlineData("nas.search.top-k = 3", "nas.search.top-k", "nas.strategies.spos-evolution.top-k")]
    [InlineData("nas.search.mutation-count = 2", "nas.search.mutation-count", "nas.strategies.spos-evolution.mutation-count")]
    [InlineData("nas.search.mutation-probability = 0.2", "nas.search.mutation-probability", "nas.strategies.spos-evolution.mutation-probability")]
    [InlineData("nas.search.crossover-count = 2", "nas.search.crossover-count", "nas.strategies.spos-evolution.crossover-count")]
    [InlineData("nas.runtime.snapshot-every = 5", "nas.runtime.snapshot-every", "remove it")]
    public void NasConfig_must_refuse_a_renamed_key_with_its_new_name(string text, string old, string replacement)
    {
        var e = Assert.Throws<NasUserException>(() => NasConfig.Parse(text, Source));
        Assert.StartsWith($"{old} in {Source} ", e.Message);
        Assert.Contains(replacement, e.Message);
        Assert.DoesNotContain("unknown key", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Theory]
    [InlineData("nas.strategies.random.population-size = 4", "nas.strategies.random", "nas.strategy = spos-evolution")]
    [InlineData("nas.strategies { enas-rl { epochs = 2 } }", "nas.strategies.enas-rl", "nas.strategy = spos-evolution")]
    [InlineData("nas.strategy = random\nnas.strategies.spos-evolution.generations = 2", "nas.strategies.spos-evolution", "nas.strategy = random")]
    [InlineData("nas.spaces.enas-micro.channels = 8", "nas.spaces.enas-micro", "nas.space = spos-shufflenet")]
    public void NasConfig_must_refuse_a_section_of_a_space_or_strategy_that_is_not_selected(string text, string section, string selected)
    {
        var e = Assert.Throws<NasUserException>(() => NasConfig.Parse(text, Source));
        Assert.StartsWith($"{section} in {Source}", e.Message);
        Assert.Contains("not selected", e.Message);
        Assert.Contains(selected, e.Message);
        // The selected one's section is fine.
        var name = section[(section.LastIndexOf('.') + 1)..];
        var selector = section.StartsWith("nas.spaces", StringComparison.Ordinal) ? "nas.space" : "nas.strategy";
        NasConfig.Parse(text.Replace("nas.strategy = random\n", "") + $"\n{selector} = {name}", Source);
    }

    [Fact]
    public void NasConfig_must_reject_a_value_where_the_reference_has_an_object()
    {
        var e = Assert.Throws<NasUserException>(() => NasConfig.Parse("nas.train = 5", Source));
        Assert.Contains("nas.train", e.Message);
        Assert.Contains(Source, e.Message);
    }

    [Theory]
    [InlineData("nas.train.batch-size = ${nas.train.no-such-key}")]
    [InlineData("nas.trainers.devices = cuda:0")]
    public void NasConfig_must_reject_malformed_hocon_as_a_user_error(string text)
    {
        var e = Assert.Throws<NasUserException>(() => NasConfig.Parse(text, Source));
        Assert.Contains(Source, e.Message);
        Assert.Contains("HOCON", e.Message);
        Assert.DoesNotContain("\n", e.Message); // one line
    }

    [Fact]
    public void NasConfig_must_apply_set_overrides_after_the_file()
    {
        var text = NasConfig.ComposeText("nas.train.total-steps = 100\nnas.experiment.seed = 1",
            ["train.total-steps=200", "nas.experiment.seed = 9", "trainers.devices=[cpu, cpu]", "strategy = random"]);
        var c = NasConfig.Parse(text, Source);
        Assert.Equal(200, c.GetLong("nas.train.total-steps"));
        Assert.Equal(9, c.GetLong("nas.experiment.seed"));
        Assert.Equal(["cpu", "cpu"], c.GetStringList("nas.trainers.devices"));
        Assert.Equal("random", c.GetString("nas.strategy"));
    }

    [Fact]
    public void NasConfig_must_check_set_overrides_like_file_keys()
    {
        var e = Assert.Throws<NasUserException>(() => NasConfig.Parse(NasConfig.ComposeText(null, ["train.learnig-rate=0.3"]), Source));
        Assert.Contains("nas.train.learnig-rate", e.Message);
        var renamed = Assert.Throws<NasUserException>(() => NasConfig.Parse(NasConfig.ComposeText(null, ["experiment.strategy=enas"]), Source));
        Assert.Contains("nas.strategy", renamed.Message);
    }

    [Theory]
    [InlineData("train.total-steps")]
    [InlineData("=5")]
    public void NasConfig_must_reject_a_set_override_that_is_not_key_value(string o)
    {
        var e = Assert.Throws<NasUserException>(() => NasConfig.ComposeText("", [o]));
        Assert.Contains(o, e.Message);
    }

    [Fact]
    public void NasConfig_must_refuse_a_missing_file_as_a_user_error()
    {
        var path = Path.Combine(Path.GetTempPath(), "nas-no-such-dir-" + Guid.NewGuid().ToString("N"), "x.conf");
        var e = Assert.Throws<NasUserException>(() => NasConfig.Load(path, []));
        Assert.Contains(path, e.Message);
    }

    // Akka's HOCON parser alone accepts an unterminated string at the end of input: the string swallows the rest of the file.
    [Fact]
    public void NasConfig_must_reject_an_unterminated_string_instead_of_swallowing_the_rest_of_the_file()
    {
        var text = "nas { data { directory = \"/data/fashion }\n  train { batch-size = 8 } }";
        var e = Assert.Throws<NasUserException>(() => NasConfig.Parse(text, Source));
        Assert.Contains(Source, e.Message);
    }

    [Fact]
    public void ConfigReader_must_read_a_module_section_naming_full_keys_and_the_file_in_its_errors()
    {
        var section = NasConfig.Section(NasConfig.Parse("nas.strategies.spos-evolution.generations = 9", Source), "nas.strategies.spos-evolution", Source);
        Assert.Equal(("nas.strategies.spos-evolution", Source), (section.Path, section.Source));
        Assert.Equal(9, section.Int("generations", 1, 100));
        var e = Assert.Throws<NasUserException>(() => section.Int("generations", 1, 5));
        Assert.Equal($"nas.strategies.spos-evolution.generations = 9 in {Source} is out of range [1, 5]", e.Message);
        Assert.Equal($"nas.strategies.spos-evolution.top-k is too big (in {Source})", section.Error("top-k", "is too big").Message);
        var nested = NasConfig.Section(NasConfig.Reference, "nas.strategies.enas-rl", Source).Section("controller");
        Assert.Equal("nas.strategies.enas-rl.controller", nested.Path);
        Assert.Equal(64, nested.Int("hidden-size", 1, 4096));
    }
}
