using System.Collections.Immutable;
using NasActors.Core.Experiments;

namespace NasActors.Core.Progress;

/// <summary>One rollout in a lineage: how it was made, its score, and the shared weights and journal event that scored it.</summary>
/// <param name="ScoredAt">Sequence number of the journal event after which its score was known (0: unknown).</param>
/// <param name="Checkpoint">The supernet checkpoint the plan reported when it was scored (null: none).</param>
/// <param name="Parents">Its parents' nodes (a parent reached twice is listed again without its own parents: <paramref name="Repeated"/>).</param>
public sealed record LineageNode(ScoredRollout Rollout, Provenance How, long ScoredAt, string? Checkpoint, ImmutableArray<LineageNode> Parents, bool Repeated = false);
