using System.Collections.Immutable;
using NasActors.Core.Engine;

namespace NasActors.Core.Strategies.Darts;

/// <summary>
/// An epoch of search is over: the softmax weights of every edge's ops ([edge][op], 'none' first, in
/// <see cref="SearchSpaces.Darts.DartsSpace.Edges"/> order) of both cell types, as they stood at its end. Journaled per
/// epoch for progress, plots and the report; the last epoch's weights derive the result.
/// </summary>
[Manifest("nas.event.architecture-epoch-completed.v2")]
public sealed record ArchitectureEpochCompleted(int Epoch, ImmutableArray<ImmutableArray<double>> Normal, ImmutableArray<ImmutableArray<double>> Reduce) : PlanEvent;
