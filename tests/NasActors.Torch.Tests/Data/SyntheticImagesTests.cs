using NasActors.Torch.Data;
using TorchSharp;

namespace NasActors.Torch.Tests.Data;

public class SyntheticImagesTests
{
    [Fact]
    public void SyntheticImages_must_be_deterministic_for_a_seed()
    {
        using var a = SyntheticImages.Create(40, seed: 3);
        using var b = SyntheticImages.Create(40, seed: 3);
        using var c = SyntheticImages.Create(40, seed: 4);

        Assert.True(a.Images.eq(b.Images).all().item<bool>());
        Assert.True(a.Labels.eq(b.Labels).all().item<bool>());
        Assert.False(a.Images.eq(c.Images).all().item<bool>());
        Assert.Equal(new long[] { 40, 1, 28, 28 }, a.Images.shape);
    }
}
