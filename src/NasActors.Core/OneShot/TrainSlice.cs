using NasActors.Core.Engine;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

/// <summary>Train one slot's slice of a supernet round (see <see cref="SupernetSlice"/>).</summary>
[Manifest("nas.work.train-slice.v2")]
public sealed record TrainSlice(SupernetSlice Slice) : WorkItem
{
    public override string Key => $"slice/{Slice.Round}/{Slice.Slot}";

    public override WorkResult Execute(WorkContext context) =>
        new SliceTrained(Key, Slice, context.Need<ISupernetTrainer>().TrainSlice(Slice, context.Progress, context.Cancellation));
}
