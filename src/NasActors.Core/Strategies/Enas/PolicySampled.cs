using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Strategies.Enas;

[Manifest("nas.result.policy-sampled.v2")]
public sealed record PolicySampled(string Key, long Step, bool Derive, ImmutableArray<Architecture> Architectures, RngState RngAfter) : WorkResult(Key);
