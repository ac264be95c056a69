using NasActors.Core.Engine;
using NasActors.Core.OneShot;
using NasActors.Core.Training;

namespace NasActors.Core.Strategies.Darts;

/// <summary>Train one slot's slice of a DARTS round: alternating architecture and weight steps on the mixed-op network.</summary>
[Manifest("nas.work.train-mixed-slice.v2")]
public sealed record TrainMixedSlice(SupernetSlice Slice) : WorkItem
{
    public override string Key => $"mixed-slice/{Slice.Round}/{Slice.Slot}";

    public override WorkResult Execute(WorkContext context) =>
        new SliceTrained(Key, Slice, context.Need<IDartsTrainer>().TrainMixedSlice(Slice, context.Progress, context.Cancellation));
}
