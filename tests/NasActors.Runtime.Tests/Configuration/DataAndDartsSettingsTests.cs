using NasActors.Core;
using NasActors.Core.SearchSpaces.Darts;
using NasActors.Runtime.Configuration;

namespace NasActors.Runtime.Tests.Configuration;

/// <summary>nas.data.dataset (Fashion-MNIST or CIFAR-10, its augmentation) and the DARTS space's section.</summary>
public sealed class DataAndDartsSettingsTests
{
    private const string Source = "/experiments/my.conf";

    private static NasSettings Settings(string text) => NasSettings.Create(NasConfig.Parse(text, Source), Source);

    private const string Cifar = "nas.data { dataset = cifar10, directory = \"/data/cifar\", validation-size = 25000 }\n";
    private const string Darts = "nas.space = darts\nnas.strategy = random\n";

    [Fact]
    public void Data_settings_must_default_to_fashion_mnist_and_read_cifar10_with_its_augmentation()
    {
        var d = Settings("").Data;
        Assert.Equal(("fashion-mnist", true, 0), (d.Dataset, d.Augment, d.Cutout));

        var c = Settings(Cifar + "nas.data.cutout = 16").Data;
        Assert.Equal(("cifar10", "/data/cifar", 25000, true, 16), (c.Dataset, c.Directory, c.ValidationSize, c.Augment, c.Cutout));
        Assert.False(Settings(Cifar + "nas.data.augment = off").Data.Augment);
    }

    [Theory]
    [InlineData("nas.data.dataset = mnist", "nas.data.dataset = 'mnist'")]
    [InlineData("nas.data.cutout = 40", "nas.data.cutout")]
    [InlineData("nas.data.augment = maybe", "nas.data.augment")]
    public void Data_settings_must_reject_bad_values_naming_the_key(string text, string expected)
    {
        var e = Assert.Throws<NasUserException>(() => Settings(text));
        Assert.Contains(expected, e.Message);
        Assert.Contains(Source, e.Message);
    }

    [Fact]
    public void Fingerprint_must_cover_the_dataset_and_its_augmentation_but_keep_fashion_mnist_experiments_as_they_were()
    {
        Assert.NotEqual(Settings("").ResultHash, Settings(Cifar).ResultHash);
        Assert.NotEqual(Settings(Cifar).ResultHash, Settings(Cifar + "nas.data.cutout = 16").ResultHash);
        Assert.NotEqual(Settings(Cifar).ResultHash, Settings(Cifar + "nas.data.augment = off").ResultHash);
        // Fashion-MNIST is never augmented: the keys change nothing it computes, and its fingerprint is the earlier one.
        Assert.Equal(Settings("").ResultHash, Settings("nas.data.cutout = 16").ResultHash);
    }

    [Fact]
    public void Darts_space_must_read_its_section_and_reject_bad_sizes_naming_the_key()
    {
        var s = Settings(Darts + "nas.spaces.darts { channels = 8, cells = 5, dataset = cifar10 }");
        Assert.Equal(new DartsSpec(8, 5, DartsSpec.Cifar10), s.SpaceSpec);
        Assert.Equal(DartsSpec.Default, Settings(Darts).SpaceSpec);

        Assert.Contains("nas.spaces.darts.channels = 7", Assert.Throws<NasUserException>(() => Settings(Darts + "nas.spaces.darts.channels = 7")).Message);
        Assert.Contains("nas.spaces.darts.cells", Assert.Throws<NasUserException>(() => Settings(Darts + "nas.spaces.darts.cells = 2")).Message);
        Assert.Contains("nas.spaces.darts.dataset = 'imagenet'", Assert.Throws<NasUserException>(() => Settings(Darts + "nas.spaces.darts.dataset = imagenet")).Message);
    }
}
