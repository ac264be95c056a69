using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

/// <summary>Average the data-parallel slots' weights and momentum of retraining epoch <paramref name="Epoch"/>.</summary>
[Manifest("nas.work.merge-retrain-slots.v2")]
public sealed record MergeRetrainSlots(RolloutId Id, int Epoch, ImmutableArray<string> Checkpoints) : WorkItem
{
    public override string Key => $"retrain-merge/{Id}/{Epoch}";

    public override WorkResult Execute(WorkContext context) =>
        new RetrainSlotsMerged(Key, Id, Epoch, context.Need<IRetrainer>().Merge(Checkpoints, context.Cancellation));
}
