using NasActors.Core.Engine;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

[Manifest("nas.result.slice-trained.v2")]
public sealed record SliceTrained(string Key, SupernetSlice Slice, SliceResult Result) : WorkResult(Key);
