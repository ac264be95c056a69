using NasActors.Core.Engine;

namespace NasActors.Core.Strategies.Enas;

[Manifest("nas.result.policy-created.v2")]
public sealed record PolicyCreated(string Key, string Policy) : WorkResult(Key);
