using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.SearchSpaces.Darts;
using NasActors.Core.Training;

namespace NasActors.Core.Strategies.Darts;

/// <summary>
/// DARTS (Liu et al., ICLR 2019) as a plan: epochs of mixed-op training in data-parallel rounds (each step an
/// architecture step, then a weight step: <see cref="TrainMixedSlice"/>), the architecture weights journaled at the end
/// of every epoch, then the cell derived from the last epoch's weights (<see cref="DartsDerivation"/>), scored with the
/// shared weights on the validation split, tested and (nas.retrain) retrained like every result.
/// </summary>
public sealed class DartsPlan : Plan<DartsPlanState>, IDerivingPlan
{
    public const string Name = "darts";

    /// <summary>The derived architecture's rollout id: DARTS has one result.</summary>
    private static readonly RolloutId DerivedId = new(0);

    private readonly SupernetSchedule _supernet;
    private readonly Finale _finale;
    private readonly DartsSettings _settings;

    public DartsPlan(DartsSettings settings, OneShotSettings oneShot)
    {
        if (oneShot.Rounds % settings.Epochs != 0 || oneShot.StepsPerSlot != settings.Epochs * settings.StepsPerEpoch)
            throw new ArgumentException($"{oneShot.Rounds} rounds of {oneShot.StepsPerSlot} steps do not split into {settings.Epochs} epochs of {settings.StepsPerEpoch} steps");
        _settings = settings;
        _supernet = new SupernetSchedule(oneShot, slice => new TrainMixedSlice(slice));
        _finale = new Finale(oneShot.Retrain);
    }

    public override string Strategy => Name;
    public override DartsPlanState Initial => DartsPlanState.Empty;

    private int RoundsPerEpoch => _supernet.Rounds / _settings.Epochs;

    /// <summary>The epoch whose rounds are being trained or whose weights are being read; Epochs when all are recorded.</summary>
    private static int Epoch(DartsPlanState s) => s.Epochs.Length;

    private bool Training(DartsPlanState s) =>
        s.Final.Top is null && Epoch(s) < _settings.Epochs && s.Supernet.RoundsDone < (Epoch(s) + 1) * RoundsPerEpoch;

    public override PlanStep Next(DartsPlanState s)
    {
        if (s.Final.Top is not null) return _finale.Next(s.Final, s.Supernet.Checkpoint)!;
        var epoch = Epoch(s);
        if (epoch < _settings.Epochs)
            return _supernet.Next(s.Supernet, (epoch + 1) * RoundsPerEpoch)
                   ?? PlanStep.Do([new ReadArchitectureWeights(epoch, s.Supernet.Checkpoint!)]);
        return PlanStep.Do([new ScoreRollout(Derived(s), s.Supernet.Checkpoint!, EvalSplit.Validation)]);
    }

    /// <summary>The cell the last recorded epoch's weights derive.</summary>
    private static Rollout Derived(DartsPlanState s)
    {
        var last = s.Epochs[^1];
        return new Rollout(DerivedId, DartsDerivation.Derive(ArchitectureWeights.FromSoftmax(last.Normal, last.Reduce)), last.Epoch, $"derived from the weights after epoch {last.Epoch + 1}");
    }

    public override ImmutableArray<PlanEvent> OnResult(DartsPlanState s, WorkResult result)
    {
        if (_supernet.OnResult(s.Supernet, result, Training(s)) is { } e) return e;
        if (_finale.OnResult(s.Final, result) is { } f) return f;
        return result switch
        {
            ArchitectureWeightsRead r when s.Final.Top is null && r.Epoch == Epoch(s) && r.Epoch < _settings.Epochs
                                           && s.Supernet.RoundsDone == (r.Epoch + 1) * RoundsPerEpoch && r.Checkpoint == s.Supernet.Checkpoint =>
                [Completed(r)],
            RolloutScored { Split: EvalSplit.Validation } r when s.Final.Top is null && Epoch(s) == _settings.Epochs && r.Id == DerivedId =>
                [new SearchCompleted([new ScoredRollout(Derived(s), r.Metrics)])],
            _ => [],
        };
    }

    private static ArchitectureEpochCompleted Completed(ArchitectureWeightsRead r)
    {
        var w = ArchitectureWeights.FromLogits(r.Normal, r.Reduce); // validates the shape
        return new ArchitectureEpochCompleted(r.Epoch, w.Softmax(DartsSpace.Normal), w.Softmax(DartsSpace.Reduce));
    }

    public override DartsPlanState Apply(DartsPlanState s, PlanEvent e)
    {
        if (SupernetSchedule.Apply(s.Supernet, e) is { } sn) return s with { Supernet = sn };
        if (Finale.Apply(s.Final, e) is { } fn) return s with { Final = fn };
        return e switch
        {
            ArchitectureEpochCompleted c when c.Epoch == Epoch(s) => s with { Epochs = s.Epochs.Add(c) },
            ArchitectureEpochCompleted => s,
            _ => throw new InvalidOperationException($"plan {Strategy} has no event {e.GetType().Name}"),
        };
    }

    public override ImmutableArray<string> Released(DartsPlanState before, PlanEvent e) =>
        SupernetSchedule.Released(before.Supernet, e).AddRange(Finale.Released(before.Final, e));

    public override PlanStatus Status(DartsPlanState s)
    {
        var phase = _finale.Phase(s.Final) ?? (Epoch(s) < _settings.Epochs ? "search" : "derive");
        var figures = SupernetSchedule.Figures(s.Supernet).Concat(Finale.Figures(s.Final)).ToList();
        ImmutableArray<ScoredRollout> ranking = s.Final.Top ?? [];
        if (!s.Epochs.IsEmpty)
        {
            var last = s.Epochs[^1];
            // How decided the cells are: the mean over edges of the strongest op's weight (1/8 at the start, 1 when one-hot).
            figures.Add(KeyValuePair.Create("normal_max_weight", last.Normal.Average(w => w.Max())));
            figures.Add(KeyValuePair.Create("reduce_max_weight", last.Reduce.Average(w => w.Max())));
            figures.Add(KeyValuePair.Create("normal_none_weight", last.Normal.Average(w => w[0])));
        }
        if (!ranking.IsEmpty) figures.Add(KeyValuePair.Create("best_accuracy", ranking[0].Metrics.Accuracy));
        return new PlanStatus(Strategy, phase, phase == "finished", ranking, ranking.Length, s.Supernet.Checkpoint, s.Final.Test, s.Final.Retrained,
            [.. SupernetSchedule.Counters(s.Supernet, _supernet.Rounds), new PlanCounter("epoch", Epoch(s), _settings.Epochs), .. _finale.Counters(s.Final)],
            figures.ToImmutableSortedDictionary(StringComparer.Ordinal),
            Current(s) is { } current ? DartsSpace.Summary(current) : null);
    }

    /// <summary>The cell the latest epoch's weights derive (progress: "the current argmax cell"); null before the first epoch ends.</summary>
    public static SearchSpaces.Architecture? Current(DartsPlanState s) => s.Epochs.IsEmpty ? null : Derived(s).Architecture;

    /// <summary>
    /// `nas derive`: the cell the latest epoch's weights derive, then cells sampled from those weights
    /// (<see cref="DartsDerivation.Sample"/>), distinct.
    /// </summary>
    public ImmutableArray<SearchSpaces.Architecture> Derive(object state, int count, Randomness.Xoshiro256 rng, WorkContext context)
    {
        var s = (DartsPlanState)state;
        if (s.Epochs.IsEmpty)
            throw new NasUserException("DARTS has finished no epoch yet, so it has no architecture weights to derive from: resume the experiment until one has");
        var last = s.Epochs[^1];
        var weights = ArchitectureWeights.FromSoftmax(last.Normal, last.Reduce);
        var found = new List<SearchSpaces.Architecture> { DartsDerivation.Derive(weights) };
        for (var tries = 0; found.Count < count && tries < 10 * count; tries++)
            if (DartsDerivation.Sample(weights, rng) is var a && !found.Contains(a)) found.Add(a);
        return [.. found.Take(count)];
    }
}
