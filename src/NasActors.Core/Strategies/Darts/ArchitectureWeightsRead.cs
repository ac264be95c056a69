using System.Collections.Immutable;
using NasActors.Core.Engine;

namespace NasActors.Core.Strategies.Darts;

/// <summary>The logits of the normal and reduction cells ([edge][op], 'none' first) in the checkpoint that ends <paramref name="Epoch"/>.</summary>
[Manifest("nas.result.architecture-weights-read.v2")]
public sealed record ArchitectureWeightsRead(string Key, int Epoch, string Checkpoint,
    ImmutableArray<ImmutableArray<double>> Normal, ImmutableArray<ImmutableArray<double>> Reduce) : WorkResult(Key);
