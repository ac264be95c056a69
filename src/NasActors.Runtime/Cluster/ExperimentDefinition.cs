using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Runtime.Configuration;

namespace NasActors.Runtime.Cluster;

/// <summary>A validated experiment: settings, space, cost table and what to dispose when it ends.</summary>
public sealed record ExperimentDefinition(NasSettings Settings, SearchSpace Space, ICostModel Costs, IDisposable? Owner);
