using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

/// <summary>Train the architecture from scratch, alone, and measure it on the test split (nas.retrain).</summary>
[Manifest("nas.work.retrain-rollout.v2")]
public sealed record RetrainRollout(Rollout Rollout, long Steps) : WorkItem
{
    public override string Key => $"retrain/{Rollout.Id}";

    public override WorkResult Execute(WorkContext context) =>
        new RolloutRetrained(Key, Rollout.Id, context.Need<IRetrainer>().Retrain(Rollout.Architecture, Steps, context.Progress, context.Cancellation));
}
