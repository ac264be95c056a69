using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

/// <summary>Average the data-parallel slots' weights and momentum of round <paramref name="Round"/> of retraining epoch <paramref name="Epoch"/>.</summary>
[Manifest("nas.work.merge-retrain-slots.v2")]
public sealed record MergeRetrainSlots(RolloutId Id, int Epoch, ImmutableArray<string> Checkpoints, int Round = 0) : WorkItem
{
    public override string Key => Round == 0 ? $"retrain-merge/{Id}/{Epoch}" : $"retrain-merge/{Id}/{Epoch}.{Round}";

    public override WorkResult Execute(WorkContext context) =>
        new RetrainSlotsMerged(Key, Id, Epoch, context.Need<IRetrainer>().Merge(Checkpoints, context.Cancellation), Round);
}
