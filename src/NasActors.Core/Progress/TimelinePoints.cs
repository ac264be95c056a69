using System.Collections.Immutable;

namespace NasActors.Core.Progress;

/// <summary>What one status added to a <see cref="StatusTimeline"/>.</summary>
public sealed record TimelinePoints(ImmutableArray<ScalarPoint> Scalars, ImmutableArray<HistogramPoint> Histograms)
{
    public static readonly TimelinePoints None = new([], []);
    public bool IsEmpty => Scalars.IsEmpty && Histograms.IsEmpty;
}
