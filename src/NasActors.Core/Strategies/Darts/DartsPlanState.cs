using System.Collections.Immutable;
using NasActors.Core.OneShot;

namespace NasActors.Core.Strategies.Darts;

/// <summary>DARTS so far: the mixed-op network's training, the weights of every finished epoch, the end.</summary>
public sealed record DartsPlanState(SupernetState Supernet, ImmutableArray<ArchitectureEpochCompleted> Epochs, FinalState Final)
{
    public static readonly DartsPlanState Empty = new(SupernetState.Empty, [], FinalState.Empty);
}
