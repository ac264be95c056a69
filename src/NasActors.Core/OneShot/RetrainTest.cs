using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

/// <summary>Measure the retrained model of <paramref name="Checkpoint"/> on the test split and store its weights.</summary>
[Manifest("nas.work.retrain-test.v2")]
public sealed record RetrainTest(Rollout Rollout, RetrainSettings Settings, string Checkpoint) : WorkItem
{
    public override string Key => $"retrain-test/{Rollout.Id}";

    public override WorkResult Execute(WorkContext context) =>
        new RetrainTested(Key, Rollout.Id, context.Need<IRetrainer>().Test(Rollout.Architecture, Settings, Checkpoint, context.Cancellation));
}
