using NasActors.Core.Engine;

namespace NasActors.Core.OneShot;

[Manifest("nas.result.slices-merged.v2")]
public sealed record SlicesMerged(string Key, int Round, string Checkpoint) : WorkResult(Key);
