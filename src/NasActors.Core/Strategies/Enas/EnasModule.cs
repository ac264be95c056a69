using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Training;

namespace NasActors.Core.Strategies.Enas;

/// <summary>Registration of ENAS (nas.strategy = enas-rl).</summary>
public sealed class EnasModule : StrategyModule<EnasSettings>
{
    public override string Name => EnasPlan.Name;

    public override string Description =>
        "ENAS (Pham et al. 2018): an LSTM controller trained with REINFORCE alternates with shared-weight training on the paths it samples";

    // Sources: ENAS paper and its official micro search script cifar10_micro_search.sh ("ENAS"), NNI's ENAS ("NNI").
    public override string ConfigSection => """
        # Shared-weight / controller alternations; nas.train.total-steps is split evenly over them (the resulting rounds
        # must be a multiple of the epochs: the reference's 600 steps in rounds of 50 make 12 rounds).
        epochs = 6
        # Sample a new architecture from the controller every N shared-weight batches (ENAS: 1).
        path-every = 1
        # After training: sample this many architectures from the policy, score each on nas.train.validation-images
        # with the shared weights (after BN recalibration), keep the best.
        derive-samples = 32
        controller {
          hidden-size = 64          # LSTM size (ENAS micro: 64; NNI: 64)
          temperature = 5.0         # logits / temperature before the tanh (ENAS macro/RNN scripts: 5.0)
          tanh-constant = 1.1       # logits = c * tanh(logits / temperature) (ENAS micro: 1.10; NNI: 1.5)
          learning-rate = 0.0035    # Adam (ENAS micro: 0.0035)
          entropy-weight = 1e-4     # entropy bonus (ENAS: 1e-4)
          baseline-decay = 0.99     # moving-average reward baseline, moved by every sampled architecture (ENAS: 0.99)
          grad-clip = 5.0           # max global gradient norm, 0 = off (NNI ENAS: 5.0)
          steps-per-epoch = 30      # policy updates per epoch (ENAS micro: controller_train_steps 30)
          samples-per-update = 10   # architectures per update, rewards aggregated (ENAS micro: controller_num_aggregate 10)
          reward-images = 256       # validation images per reward minibatch: reward = its accuracy (ENAS: one minibatch)
        }
        """;

    public override EnasSettings Read(ISettingsSource s, EngineSettings engine)
    {
        var c = s.Section("controller");
        var settings = new EnasSettings(
            new ControllerSpec(c.Int("hidden-size", 1, 4096), c.Double("temperature", 1e-6, 1e6), c.Double("tanh-constant", 0, 1e6),
                c.Double("learning-rate", 1e-12, 10), c.Double("entropy-weight", 0, 100), c.Double("grad-clip", 0, 1e9), engine.Seed),
            new ReinforceSettings(s.Int("epochs", 1, 100_000), c.Int("steps-per-epoch", 0, 1_000_000), c.Int("samples-per-update", 1, 100_000),
                c.Double("baseline-decay", 0, 0.999999), s.Int("derive-samples", 1, 1_000_000)),
            c.Int("reward-images", 1, 59_000), s.Int("path-every", 1, 1_000_000));
        s.Check(settings.Reinforce.Validate);
        engine.RefuseLimits(s.Source, "the ENAS controller samples without limits");
        if (engine.ValidationSize < settings.RewardImages)
            throw c.Error("reward-images", $"= {settings.RewardImages} exceeds nas.data.validation-size = {engine.ValidationSize}");
        if (engine.OneShot.Rounds % settings.Reinforce.Epochs != 0)
            throw new NasUserException($"{s.Source}: shared-weight training has {engine.OneShot.Rounds} rounds (nas.train.total-steps / trainers / steps-per-round, rounded up), which {s.Path}.epochs = {settings.Reinforce.Epochs} does not divide; make the rounds a multiple of the epochs");
        return settings;
    }

    public override string? Incompatibility(SpaceModule space, SpaceTraits traits) =>
        base.Incompatibility(space, traits)
        ?? (traits.SmallChoices ? null : $"the ENAS controller makes one categorical decision per choice, and space {space.Name} has a choice with more than {SpaceTraits.MaxCategorical} values");

    /// <summary>Trainers run the controller's policy (create, sample, update): they need its spec.</summary>
    public override ImmutableArray<object> Needs(EnasSettings settings) => [settings.Controller];

    /// <summary>
    /// Policy work carries whole batches of architectures between nodes; remoting drops a frame over 128 kB, so a
    /// batch must fit in much less (the trainer's result would otherwise be lost and re-sent for ever).
    /// </summary>
    public const int MaxBatchBytes = 64 * 1024;

    public override IPlan CreatePlan(PlanContext c, EnasSettings s)
    {
        if (!c.ReadOnly)
        {
            // An architecture's JSON: every key and its longest value, quoted, with separators.
            var bytes = 2 + c.Space.Choices.Sum(ch => ch.Key.Length + ch.Values().Max(v => v.Length) + 6);
            foreach (var (key, count) in new[] { ("derive-samples", s.Reinforce.DeriveSamples), ("controller.samples-per-update", s.Reinforce.SamplesPerUpdate) })
                if ((long)count * bytes > MaxBatchBytes)
                    throw new NasUserException($"nas.strategies.enas-rl.{key} = {count} makes batches of about {(long)count * bytes / 1024} kB of {c.Space.Name} architectures, more than the {MaxBatchBytes / 1024} kB a work result may carry between nodes; lower it to at most {MaxBatchBytes / bytes}");
        }
        return new EnasPlan(s, c.Engine.OneShot);
    }
}
