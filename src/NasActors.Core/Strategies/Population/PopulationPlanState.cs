using NasActors.Core.OneShot;

namespace NasActors.Core.Strategies.Population;

/// <summary>A one-shot population search: supernet training, then the strategy's generations, then the finale.</summary>
public sealed record PopulationPlanState(SupernetState Supernet, SearchState Search, FinalState Final);
