using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Runtime.Configuration;

namespace NasActors.Runtime.Cluster;

/// <summary>
/// A validated experiment: settings, space, cost table, what to dispose when it ends, and what follows it while it runs
/// (started by the coordinator only once the experiment starts, so a refused submission writes nothing).
/// </summary>
public sealed record ExperimentDefinition(NasSettings Settings, SearchSpace Space, ICostModel Costs, IDisposable? Owner,
    Func<IExperimentObserver>? Observe = null);
