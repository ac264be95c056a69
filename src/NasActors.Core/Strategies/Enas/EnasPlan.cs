using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.OneShot;
using NasActors.Core.Training;

namespace NasActors.Core.Strategies.Enas;

/// <summary>
/// ENAS (Pham et al. 2018) as a plan: create the controller policy; then for every epoch, train the shared weights on
/// paths the policy samples, then train the policy with REINFORCE on minibatch rewards; at the end sample the derive
/// batch, score it on the validation split, and finish with the best. The policy's maths runs on trainers
/// (<see cref="InitPolicy"/>, <see cref="SamplePolicy"/>, <see cref="UpdatePolicy"/>); what to sample next, which rewards
/// count and the advantages are decided here (<see cref="Reinforce"/>).
/// </summary>
public sealed class EnasPlan : Plan<EnasPlanState>, IDerivingPlan
{
    private readonly SupernetSchedule _supernet;
    private readonly Finale _finale;
    private readonly EnasSettings _settings;
    private readonly long _seed;

    public const string Name = "enas-rl";

    public EnasPlan(EnasSettings settings, OneShotSettings oneShot)
    {
        settings.Reinforce.Validate();
        if (oneShot.Rounds % settings.Reinforce.Epochs != 0)
            throw new NasUserException($"shared-weight training has {oneShot.Rounds} rounds (nas.train.total-steps / trainers / steps-per-round, rounded up), which nas.strategies.enas-rl.epochs = {settings.Reinforce.Epochs} does not divide; make the rounds a multiple of the epochs");
        _settings = settings;
        _seed = oneShot.Seed;
        _supernet = new SupernetSchedule(oneShot);
        _finale = new Finale(oneShot.Retrain);
    }

    public override string Strategy => Name;
    public override EnasPlanState Initial => new(SupernetState.Empty, ReinforceState.Initial(_seed), FinalState.Empty);

    private ReinforceSettings Rl => _settings.Reinforce;
    private int RoundsPerEpoch => _supernet.Rounds / Rl.Epochs;

    /// <summary>Epochs of shared-weight training done.</summary>
    private int SharedEpochs(EnasPlanState s) => s.Supernet.RoundsDone / RoundsPerEpoch;

    /// <summary>Epochs of controller training done: the controller trains after each shared-weight epoch.</summary>
    private int ControllerEpochs(EnasPlanState s) =>
        Rl.StepsPerEpoch == 0 ? SharedEpochs(s) : (int)Math.Min(SharedEpochs(s), s.Controller.Step / Rl.StepsPerEpoch);

    public override PlanStep Next(EnasPlanState s)
    {
        var c = s.Controller;
        if (c.Policy is null) return PlanStep.Do([new InitPolicy(new PolicyMeta(0, 0, c.Rng))]);
        if (s.Final.Top is not null) return _finale.Next(s.Final, s.Supernet.Checkpoint)!;
        int shared = SharedEpochs(s), trained = ControllerEpochs(s);
        if (shared < Rl.Epochs && trained == shared)
            return _supernet.Next(s.Supernet, (shared + 1) * RoundsPerEpoch, c.Policy, _settings.PathEvery)!;
        var checkpoint = s.Supernet.Checkpoint!;
        if (trained < shared)
        {
            if (c.Pending.IsEmpty) return PlanStep.Do([new SamplePolicy(c.Policy, Rl.SamplesPerUpdate, c.Rng, c.Step, Derive: false)]);
            if (!c.BatchComplete)
                return PlanStep.Do(c.Unrewarded.Select(r => new RewardRollout(r, checkpoint, r.Id.Value, _settings.RewardImages)));
            var (samples, advantages, baseline, mean) = Reinforce.Advantages(c, Rl.BaselineDecay);
            return PlanStep.Do([new UpdatePolicy(c.Policy, samples, advantages, new PolicyMeta(c.Step + 1, baseline, c.Rng), mean)]);
        }
        // Every epoch done: the derive batch.
        if (!c.Deriving) return PlanStep.Do([new SamplePolicy(c.Policy, Rl.DeriveSamples, c.Rng, c.Step, Derive: true)]);
        if (!c.BatchComplete) return PlanStep.Do(c.Unrewarded.Select(r => new ScoreRollout(r, checkpoint, EvalSplit.Validation)));
        return PlanStep.Record(new SearchCompleted(c.Ranked));
    }

    public override ImmutableArray<PlanEvent> OnResult(EnasPlanState s, WorkResult result)
    {
        var c = s.Controller;
        var training = s.Final.Top is null && c.Policy is not null && SharedEpochs(s) < Rl.Epochs && ControllerEpochs(s) == SharedEpochs(s);
        if (_supernet.OnResult(s.Supernet, result, training) is { } e) return e;
        if (_finale.OnResult(s.Final, result) is { } f) return f;
        return result switch
        {
            PolicyCreated p when c.Policy is null => [new PolicyInitialized(p.Policy)],
            PolicySampled p when c.Policy is not null && c.Pending.IsEmpty && !c.Deriving && p.Step == c.Step && s.Final.Top is null
                                 && p.Derive == (ControllerEpochs(s) >= Rl.Epochs) =>
                [new BatchSampled(p.Step, Reinforce.ToRollouts(c, p.Architectures, p.Derive), p.RngAfter, p.Derive)],
            RolloutScored r when r.Split == EvalSplit.Validation && Reinforce.IsKnown(c, r.Id) => [new RewardRecorded(r.Id, r.Metrics)],
            PolicyLearned l when c.BatchComplete && !c.Deriving && l.Step == c.Step + 1 =>
                [new PolicyUpdated(l.Step, l.Update.Checkpoint, l.Baseline, new ReinforceStats(l.MeanReward, l.Update.Loss, l.Update.Entropy, l.Update.GradNorm))],
            _ => [],
        };
    }

    public override EnasPlanState Apply(EnasPlanState s, PlanEvent e)
    {
        if (SupernetSchedule.Apply(s.Supernet, e) is { } sn) return s with { Supernet = sn };
        if (Finale.Apply(s.Final, e) is { } fn) return s with { Final = fn };
        return e switch
        {
            PolicyInitialized p => s with { Controller = Reinforce.Initialized(s.Controller, p.Policy) },
            BatchSampled b => s with { Controller = Reinforce.Sampled(s.Controller, b.Rollouts, b.RngAfter, b.Derive) },
            RewardRecorded r => s with { Controller = Reinforce.Rewarded(s.Controller, r.Id, r.Metrics) },
            PolicyUpdated u => s with { Controller = Reinforce.Updated(s.Controller, u.Step, u.Policy, u.Baseline, u.Stats) },
            _ => throw new InvalidOperationException($"plan {Strategy} has no event {e.GetType().Name}"),
        };
    }

    /// <summary>Shared-weight training of an epoch finishes before the controller learns, so nothing needs an old policy.</summary>
    public override ImmutableArray<string> Released(EnasPlanState before, PlanEvent e) => e switch
    {
        PolicyUpdated u when before.Controller.Policy is { } old && old != u.Policy => [old],
        _ => SupernetSchedule.Released(before.Supernet, e).AddRange(Finale.Released(before.Final, e)),
    };

    public override PlanStatus Status(EnasPlanState s)
    {
        var c = s.Controller;
        int shared = SharedEpochs(s), trained = ControllerEpochs(s);
        var phase = c.Policy is null ? "policy"
            : _finale.Phase(s.Final) is { } p ? p
            : shared < Rl.Epochs && trained == shared ? "shared"
            : trained < shared ? "controller" : "derive";
        var figures = SupernetSchedule.Figures(s.Supernet).Concat(Finale.Figures(s.Final)).ToList();
        if (c.Baseline is { } b) figures.Add(KeyValuePair.Create("baseline", b));
        if (c.Last is { } l)
        {
            figures.Add(KeyValuePair.Create("mean_reward", l.MeanReward));
            figures.Add(KeyValuePair.Create("policy_loss", l.Loss));
            figures.Add(KeyValuePair.Create("entropy", l.Entropy));
            figures.Add(KeyValuePair.Create("grad_norm", l.GradNorm));
        }
        var ranked = c.Ranked;
        if (!ranked.IsEmpty) figures.Add(KeyValuePair.Create("best_accuracy", ranked[0].Metrics.Accuracy));
        return new PlanStatus(Strategy, phase, phase == "finished", ranked, c.Derived.Length, s.Supernet.Checkpoint, s.Final.Test, s.Final.Retrained,
            [.. SupernetSchedule.Counters(s.Supernet, _supernet.Rounds),
                new PlanCounter("epoch", trained, Rl.Epochs),
                new PlanCounter("controller_step", c.Step, Rl.TotalSteps),
                new PlanCounter("derived", c.Derived.Length, Rl.DeriveSamples), .. _finale.Counters(s.Final)],
            figures.ToImmutableSortedDictionary(StringComparer.Ordinal));
    }

    /// <summary>`nas derive`: architectures the current policy samples (as its derive batch does), in draw order, distinct.</summary>
    public ImmutableArray<SearchSpaces.Architecture> Derive(object state, int count, Randomness.Xoshiro256 rng, WorkContext context)
    {
        var policy = ((EnasPlanState)state).Controller.Policy
                     ?? throw new NasUserException("the ENAS controller has no policy yet: resume the experiment until its controller is created");
        // Draw in batches until count distinct ones (a policy that has converged repeats itself; a bounded number of tries).
        var found = new List<SearchSpaces.Architecture>();
        for (var tries = 0; found.Count < count && tries < 10; tries++)
            found.AddRange(context.Need<IPolicyBackend>().Sample(policy, count, rng).Where(a => !found.Contains(a)).Distinct());
        return [.. found.Take(count)];
    }
}
