namespace NasActors.Core.Strategies.Enas;

/// <summary>How the ENAS controller alternates with shared-weight training (nas.strategies.enas-rl; see EnasModule).</summary>
/// <param name="Epochs">Shared-weight / controller alternations.</param>
/// <param name="StepsPerEpoch">Controller updates after each epoch of shared-weight training.</param>
/// <param name="SamplesPerUpdate">Architectures sampled (and rewarded) per update: the REINFORCE batch.</param>
/// <param name="BaselineDecay">Moving-average decay of the reward baseline.</param>
/// <param name="DeriveSamples">Architectures sampled from the trained policy and scored at the end.</param>
public sealed record ReinforceSettings(int Epochs, int StepsPerEpoch, int SamplesPerUpdate, double BaselineDecay, int DeriveSamples)
{
    public long TotalSteps => (long)Epochs * StepsPerEpoch;

    public void Validate()
    {
        if (Epochs < 1) throw new NasUserException($"nas.strategies.enas-rl.epochs = {Epochs} must be at least 1");
        if (StepsPerEpoch < 0) throw new NasUserException($"nas.strategies.enas-rl.controller.steps-per-epoch = {StepsPerEpoch} must be 0 or more");
        if (SamplesPerUpdate < 1) throw new NasUserException($"nas.strategies.enas-rl.controller.samples-per-update = {SamplesPerUpdate} must be at least 1");
        if (!(BaselineDecay >= 0 && BaselineDecay < 1)) throw new NasUserException($"nas.strategies.enas-rl.controller.baseline-decay = {BaselineDecay} must be in [0, 1)");
        if (DeriveSamples < 1) throw new NasUserException($"nas.strategies.enas-rl.derive-samples = {DeriveSamples} must be at least 1");
    }
}
