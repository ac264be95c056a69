using System.Collections.Immutable;
using NasActors.Core.Engine;

namespace NasActors.Core.Strategies.Darts;

/// <summary>Registration of DARTS (nas.strategy = darts).</summary>
public sealed class DartsStrategyModule : StrategyModule<DartsSettings>
{
    public override string Name => DartsPlan.Name;

    public override string Description =>
        "DARTS (Liu et al. 2019): every edge a softmax-weighted mixed op; architecture (Adam) and weight (SGD) steps alternate, then the strongest ops derive the cell";

    // Sources: the official code, github.com/quark0/darts cnn/train_search.py and architect.py ("DARTS"), as NNI's
    // DartsTrainer keeps them. nas.train.batch-size sets both halves' batches (DARTS: 64); nas.train.learning-rate,
    // momentum and weight-decay are SPOS's and are not used by DARTS: its weight optimizer is configured here.
    public override string ConfigSection => """
        # Epochs of search (DARTS: 50 on CIFAR-10; here 6, so that the default nas.train (600 steps in rounds of 50 on 1 or 2
        # trainers: 12 or 6 rounds) splits into them). nas.train.total-steps is split evenly over the trainers and then the epochs: each
        # step is one architecture step on a batch of the second half of the training split, then one weight step on a
        # batch of the first half (DARTS: train_portion 0.5). The rounds (nas.train.steps-per-round) must split evenly
        # into the epochs. At the end of every epoch the softmax weights of every edge are journaled.
        epochs = 6
        # Second order (DARTS --unrolled): the architecture gradient through one virtual SGD step of the weights, with
        # the Hessian-vector product by finite differences (eq. 7-8). About 3x slower per step; DARTS's default is first order.
        unrolled = false
        weights {
          learning-rate = 0.025       # SGD (DARTS: learning_rate 0.025)
          learning-rate-min = 0.001   # cosine annealing per epoch down to this (DARTS: learning_rate_min 0.001)
          momentum = 0.9              # DARTS: momentum 0.9
          weight-decay = 3e-4         # DARTS: weight_decay 3e-4
          grad-clip = 5.0             # max global gradient norm of the weights (DARTS: grad_clip 5)
        }
        architecture {
          learning-rate = 3e-4        # Adam (DARTS: arch_learning_rate 3e-4)
          beta1 = 0.5                 # DARTS: betas (0.5, 0.999)
          beta2 = 0.999
          weight-decay = 1e-3         # L2 on the logits, as torch.optim.Adam's weight_decay (DARTS: arch_weight_decay 1e-3)
        }
        """;

    public override DartsSettings Read(ISettingsSource s, EngineSettings engine)
    {
        var w = s.Section("weights");
        var a = s.Section("architecture");
        var epochs = s.Int("epochs", 1, 100_000);
        var lr = w.Double("learning-rate", 1e-12, 100);
        var lrMin = w.Double("learning-rate-min", 0, 100);
        if (lrMin > lr) throw w.Error("learning-rate-min", $"= {lrMin} is above learning-rate = {lr}; the cosine schedule anneals down to it");
        engine.RefuseLimits(s.Source, "DARTS derives its cell from the architecture weights without limits");
        var one = engine.OneShot;
        if (one.StepsPerSlot != (long)one.Rounds * one.StepsPerRound || one.Rounds % epochs != 0)
            throw new NasUserException($"{s.Source}: DARTS needs whole rounds that split evenly into {s.Path}.epochs = {epochs}, but nas.train.total-steps gives each of the {one.Slots} trainer(s) {one.StepsPerSlot} steps in rounds of {one.StepsPerRound}; set nas.train.total-steps to a multiple of trainers x steps-per-round x epochs = {(long)one.Slots * one.StepsPerRound * epochs}");
        return new DartsSettings(epochs, one.StepsPerSlot / epochs, s.Bool("unrolled"), lr, lrMin,
            w.Double("momentum", 0, 0.999999), w.Double("weight-decay", 0, 1), w.Double("grad-clip", 0, 1e9),
            a.Double("learning-rate", 1e-12, 100), a.Double("beta1", 0, 0.999999), a.Double("beta2", 0, 0.999999), a.Double("weight-decay", 0, 1),
            engine.Seed);
    }

    public override string? Incompatibility(SpaceModule space, SpaceTraits traits) =>
        base.Incompatibility(space, traits)
        ?? (traits.MixedOps ? null : $"strategy {Name} runs every edge as a weighted mixed op, and space {space.Name} has no mixed-op network (the darts space has one)");

    /// <summary>Trainers step the architecture weights and the weights with these settings.</summary>
    public override ImmutableArray<object> Needs(DartsSettings settings) => [settings];

    public override IPlan CreatePlan(PlanContext c, DartsSettings s) => new DartsPlan(s, c.Engine.OneShot);
}
