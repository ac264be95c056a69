using NasActors.Core;
using NasActors.Runtime.Configuration;

namespace NasActors.Runtime.Tests.Configuration;

public sealed class NasConfigTests
{
    private const string Source = "/experiments/my.conf";

    [Fact]
    public void NasConfig_must_parse_the_embedded_reference_defaults()
    {
        var r = NasConfig.Reference;
        Assert.Equal("spos", r.GetString("nas.experiment.strategy"));
        Assert.Equal(42, r.GetLong("nas.experiment.seed"));
        Assert.Equal(["cpu"], r.GetStringList("nas.trainers.devices"));
        Assert.Equal(TimeSpan.FromMinutes(10), r.GetTimeSpan("nas.runtime.lease-timeout"));
    }

    [Fact]
    public void NasConfig_must_lay_the_user_text_over_the_reference()
    {
        var c = NasConfig.Parse("nas.train { batch-size = 8 }", Source);
        Assert.Equal(8, c.GetInt("nas.train.batch-size"));
        Assert.Equal(0.1, c.GetDouble("nas.train.learning-rate")); // untouched keys keep their defaults
    }

    [Theory]
    [InlineData("nas.train.learnig-rate = 0.2", "nas.train.learnig-rate")]
    [InlineData("nas { train { learnig-rate = 0.2 } }", "nas.train.learnig-rate")]
    [InlineData("nas.trainer.devices = [cpu]", "nas.trainer")]
    [InlineData("nass.seed = 1", "nass")]
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
            ["train.total-steps=200", "nas.experiment.seed = 9", "trainers.devices=[cpu, cpu]"]);
        var c = NasConfig.Parse(text, Source);
        Assert.Equal(200, c.GetLong("nas.train.total-steps"));
        Assert.Equal(9, c.GetLong("nas.experiment.seed"));
        Assert.Equal(["cpu", "cpu"], c.GetStringList("nas.trainers.devices"));
    }

    [Fact]
    public void NasConfig_must_check_set_overrides_like_file_keys()
    {
        var e = Assert.Throws<NasUserException>(() => NasConfig.Parse(NasConfig.ComposeText(null, ["train.learnig-rate=0.3"]), Source));
        Assert.Contains("nas.train.learnig-rate", e.Message);
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
}
