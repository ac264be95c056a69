using NasActors.Core.OneShot;

namespace NasActors.Core.Tests.OneShot;

public class RetrainSettingsTests
{
    [Fact]
    public void RetrainSettings_must_anneal_the_learning_rate_by_cosine_per_epoch_and_ramp_drop_path_linearly()
    {
        var s = RetrainSettings.Off with { Epochs = 10, LearningRate = 0.025, LearningRateMin = 0.001, DropPath = 0.2 };
        Assert.Equal(0.025, s.LearningRateAt(0), 12);
        Assert.Equal(0.013, s.LearningRateAt(5), 12); // halfway: the mean of the two
        Assert.Equal(0.001 + 0.024 * (1 + Math.Cos(Math.PI * 3 / 10)) / 2, s.LearningRateAt(3), 15);
        Assert.Equal(0.001, s.LearningRateAt(10), 12);
        for (var e = 1; e < 10; e++) Assert.True(s.LearningRateAt(e) < s.LearningRateAt(e - 1));
        Assert.Equal(0.0, s.DropPathAt(0));
        Assert.Equal(0.1, s.DropPathAt(5), 12);
        Assert.Equal(0.18, s.DropPathAt(9), 12);
        Assert.False(RetrainSettings.Off.Enabled);
        Assert.Equal((96, 0.025, 0.9, 3e-4, 5.0), (RetrainSettings.Off.BatchSize, RetrainSettings.Off.LearningRate, RetrainSettings.Off.Momentum,
            RetrainSettings.Off.WeightDecay, RetrainSettings.Off.GradClip));
    }
}
