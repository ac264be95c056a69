using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

/// <summary>A cheap reward: accuracy on validation minibatch <paramref name="Batch"/> of <paramref name="Images"/> images (ENAS).</summary>
[Manifest("nas.work.reward-rollout.v2")]
public sealed record RewardRollout(Rollout Rollout, string Checkpoint, long Batch, int Images) : WorkItem
{
    public override string Key => $"reward/{Rollout.Id}";

    public override WorkResult Execute(WorkContext context) =>
        new RolloutScored(Key, Rollout.Id, EvalSplit.Validation,
            context.Need<IArchitectureEvaluator>().ScoreMinibatch(Rollout.Architecture, Checkpoint, Batch, Images, context.Cancellation));
}
