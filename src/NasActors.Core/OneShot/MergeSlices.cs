using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

/// <summary>Average the data-parallel slots' weights of round <paramref name="Round"/> into one checkpoint.</summary>
[Manifest("nas.work.merge-slices.v2")]
public sealed record MergeSlices(int Round, ImmutableArray<string> Checkpoints) : WorkItem
{
    public override string Key => $"merge/{Round}";

    public override WorkResult Execute(WorkContext context) =>
        new SlicesMerged(Key, Round, context.Need<ISupernetTrainer>().Merge(Checkpoints, context.Cancellation));
}
