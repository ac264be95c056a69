using Akka.Actor;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies;
using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Controller;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Population;

namespace NasActors.Runtime.Hosting;

/// <summary>
/// Creates one experiment's persistent actors, the Experiment and its proposer (the SPOS/random population or the ENAS
/// controller), wherever they live: an in-process host, or the cluster's coordinator singleton.
/// </summary>
internal static class ExperimentActors
{
    /// <summary>The proposer's strategy (null for ENAS, whose proposer is the controller). Throws a user error for impossible limits.</summary>
    public static ISearchStrategy? Strategy(NasSettings settings, SearchSpace space, CostTable costs, IPolicyBackendFactory? policies, bool readOnly)
    {
        if (settings.IsEnas && policies is null && !readOnly)
            throw new ArgumentException("an ENAS experiment needs a backend factory that also implements IPolicyBackendFactory", nameof(policies));
        return settings.IsEnas ? null : settings.CreateStrategy(space, costs);
    }

    public static (IActorRef Experiment, IActorRef Proposer) Spawn(IActorRefFactory f, string name, NasSettings settings, SearchSpace space,
        ISearchStrategy? strategy, IPolicyBackendFactory? policies, IActorRef listener, ICheckpointJanitor? janitor, bool readOnly, string prefix = "")
    {
        var proposer = strategy is not null
            ? f.ActorOf(PopulationProtocol.Props(new PopulationProtocol.Settings(name, settings.SnapshotEvery), strategy), prefix + "population")
            : f.ActorOf(ControllerProtocol.Props(new ControllerProtocol.Settings(name, settings.SnapshotEvery, settings.Enas.Reinforce, settings.Seed, readOnly),
                policies ?? new ReadOnlyPolicies(space), janitor), prefix + "controller");
        var experiment = f.ActorOf(ExperimentProtocol.Props(ExperimentProtocol.Settings.Create(settings, name, space.Hash, readOnly), proposer, listener, janitor),
            prefix + "experiment");
        return (experiment, proposer);
    }

    /// <summary>
    /// Read-only hosts recover the controller from its journal and answer queries; they never sample or learn, so
    /// no policy backend is created. Should one be needed, the call fails with a clear message.
    /// </summary>
    private sealed class ReadOnlyPolicies(SearchSpace space) : IPolicyBackendFactory
    {
        public SearchSpace Space { get; } = space;

        public IPolicyBackend CreatePolicy() =>
            throw new InvalidOperationException("a read-only experiment host does not run the ENAS policy");
    }
}
