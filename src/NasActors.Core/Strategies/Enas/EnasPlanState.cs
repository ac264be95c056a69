using NasActors.Core.OneShot;

namespace NasActors.Core.Strategies.Enas;

/// <summary>ENAS: shared-weight training alternating with controller training, then the derive batch, then the finale.</summary>
public sealed record EnasPlanState(SupernetState Supernet, ReinforceState Controller, FinalState Final);
