using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

/// <summary>Slot <paramref name="Slot"/>'s share of retraining epoch <paramref name="Epoch"/>, from <paramref name="FromCheckpoint"/> (null: fresh weights).</summary>
[Manifest("nas.work.retrain-epoch.v2")]
public sealed record RetrainEpoch(Rollout Rollout, RetrainSettings Settings, int Epoch, int Slot, string? FromCheckpoint) : WorkItem
{
    public override string Key => $"retrain/{Rollout.Id}/{Epoch}/{Slot}";

    public override WorkResult Execute(WorkContext context) =>
        new RetrainEpochTrained(Key, Rollout.Id, Epoch, Slot,
            context.Need<IRetrainer>().TrainEpoch(Rollout.Architecture, Settings, Epoch, Slot, FromCheckpoint, context.Progress, context.Cancellation));
}
