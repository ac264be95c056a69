using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;

namespace NasActors.Core.Strategies.Train;

/// <summary>The train-only plan: <see cref="RetrainSchedule"/> for one architecture, then finished.</summary>
public sealed class TrainPlan(Rollout rollout, RetrainSettings settings) : Plan<RetrainState>
{
    private readonly RetrainSchedule _schedule = new(settings);

    public Rollout Rollout => rollout;
    public override string Strategy => TrainModule.StrategyName;
    public override RetrainState Initial => RetrainState.Empty;

    public override PlanStep Next(RetrainState s) => _schedule.Next(s, rollout) ?? PlanStep.Finish.Instance;

    public override ImmutableArray<PlanEvent> OnResult(RetrainState s, WorkResult result) => _schedule.OnResult(s, rollout.Id, result) ?? [];

    public override RetrainState Apply(RetrainState s, PlanEvent e) =>
        RetrainSchedule.Apply(s, e) ?? throw new InvalidOperationException($"plan {Strategy} has no event {e.GetType().Name}");

    public override ImmutableArray<string> Released(RetrainState before, PlanEvent e) => RetrainSchedule.Released(before, e);

    public override PlanStatus Status(RetrainState s)
    {
        var done = s.Result is not null;
        ImmutableArray<ScoredRollout> ranking = s.Result is { } r ? [new ScoredRollout(rollout, r.Metrics)] : [];
        return new PlanStatus(Strategy, done ? "finished" : s.EpochsDone < settings.Epochs ? "train" : "test", done, ranking, done ? 1 : 0,
            s.Checkpoint, null, s.Result, [_schedule.Counter(s, "epoch")],
            RetrainSchedule.Figures(s).ToImmutableSortedDictionary(StringComparer.Ordinal));
    }
}
