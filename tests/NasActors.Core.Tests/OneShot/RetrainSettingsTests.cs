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

    [Fact]
    public void RetrainSettings_must_cut_an_epoch_into_consecutive_rounds_that_cover_every_batch_once()
    {
        var s = RetrainSettings.Off with { Rounds = 3 };
        Assert.Equal([(0, 3), (3, 6), (6, 10)], Enumerable.Range(0, 3).Select(r => s.RoundBatches(10, r)));
        Assert.Equal((0, 521), (RetrainSettings.Off with { Rounds = 1 }).RoundBatches(521, 0));
        // More rounds than batches: some rounds are empty, none overlap.
        var many = RetrainSettings.Off with { Rounds = 8 };
        var spans = Enumerable.Range(0, 8).Select(r => many.RoundBatches(5, r)).ToList();
        Assert.Equal(Enumerable.Range(0, 5), spans.SelectMany(x => Enumerable.Range(x.Start, x.End - x.Start)));
        Assert.Equal(1, RetrainSettings.Off.Rounds); // reference.conf's nas.retrain.rounds-per-epoch
    }
}
