using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

/// <summary>Slot <paramref name="Slot"/>'s share of round <paramref name="Round"/> of retraining epoch <paramref name="Epoch"/>, from <paramref name="FromCheckpoint"/> (null: fresh weights).</summary>
[Manifest("nas.work.retrain-epoch.v2")]
public sealed record RetrainEpoch(Rollout Rollout, RetrainSettings Settings, int Epoch, int Slot, string? FromCheckpoint, int Round = 0) : WorkItem
{
    public override string Key => Settings.Rounds == 1 ? $"retrain/{Rollout.Id}/{Epoch}/{Slot}" : $"retrain/{Rollout.Id}/{Epoch}.{Round}/{Slot}";

    public override WorkResult Execute(WorkContext context) =>
        new RetrainEpochTrained(Key, Rollout.Id, Epoch, Slot,
            context.Need<IRetrainer>().TrainEpoch(Rollout.Architecture, Settings, Epoch, Round, Slot, FromCheckpoint, context.Progress, context.Cancellation), Round);
}
