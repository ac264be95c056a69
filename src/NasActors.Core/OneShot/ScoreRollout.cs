using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

/// <summary>Score a rollout with shared weights on the validation split (a candidate) or the test split (the result).</summary>
[Manifest("nas.work.score-rollout.v2")]
public sealed record ScoreRollout(Rollout Rollout, string Checkpoint, EvalSplit Split) : WorkItem
{
    public override string Key => KeyOf(Rollout.Id, Split);

    public static string KeyOf(RolloutId id, EvalSplit split) => $"{(split == EvalSplit.Test ? "test" : "score")}/{id}";

    public override WorkResult Execute(WorkContext context) =>
        new RolloutScored(Key, Rollout.Id, Split, context.Need<IArchitectureEvaluator>().Score(Rollout.Architecture, Checkpoint, Split, context.Cancellation));
}
