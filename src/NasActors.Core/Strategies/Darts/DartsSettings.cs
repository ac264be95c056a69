namespace NasActors.Core.Strategies.Darts;

/// <summary>
/// nas.strategies.darts: how DARTS alternates architecture and weight steps (defaults and their sources in
/// <see cref="DartsStrategyModule.ConfigSection"/>). Also what the trainer backend needs to run them: it is the
/// strategy's backend need, so every trainer steps with the same hyper-parameters.
/// </summary>
/// <param name="Epochs">Epochs of search; each ends with the architecture weights journaled.</param>
/// <param name="StepsPerEpoch">Steps (one architecture step and one weight step each) per slot and epoch.</param>
/// <param name="Unrolled">Second order: the architecture gradient through one virtual SGD step (DARTS eq. 7-8).</param>
/// <param name="Seed">The experiment's seed: the architecture logits' initialisation comes from it.</param>
public sealed record DartsSettings(
    int Epochs,
    long StepsPerEpoch,
    bool Unrolled,
    double LearningRate,
    double LearningRateMin,
    double Momentum,
    double WeightDecay,
    double GradClip,
    double ArchLearningRate,
    double ArchBeta1,
    double ArchBeta2,
    double ArchWeightDecay,
    long Seed)
{
    /// <summary>Adam's epsilon (torch.optim.Adam's default, which the official code keeps).</summary>
    public const double ArchEpsilon = 1e-8;

    /// <summary>The weights' learning rate in <paramref name="epoch"/>: cosine annealing per epoch (official CosineAnnealingLR(epochs, eta_min)).</summary>
    public double LearningRateAt(int epoch) =>
        LearningRateMin + 0.5 * (LearningRate - LearningRateMin) * (1 + Math.Cos(Math.PI * epoch / Epochs));

    /// <summary>The epoch global step <paramref name="step"/> of a slot belongs to.</summary>
    public int EpochOf(long step) => (int)Math.Min(Epochs - 1, step / StepsPerEpoch);
}
