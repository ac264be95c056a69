using System.Collections.Immutable;
using Akka.Actor;
using NasActors.Core.Training;

namespace NasActors.Runtime.Cluster;

/// <summary>
/// A trainer node's agent: it hears the coordinator's <see cref="CoordinatorProtocol.ExperimentAnnounced"/>, builds the
/// experiment's backend from the announced config and starts one trainer per device of this node, which register with
/// the coordinator through the singleton proxy. When the coordinator restarts elsewhere, the trainers register again.
/// </summary>
public static class TrainerNodeProtocol
{
    public sealed record Settings(ImmutableArray<string> Devices, TimeSpan RetryInterval);

    /// <param name="factories">Builds the backend factory for (experiment name, config text); called off the actor's thread.</param>
    /// <param name="coordinator">The coordinator singleton's proxy.</param>
    public static Props Props(Settings settings, Func<string, string, ITrainerBackendFactory> factories, IActorRef coordinator) =>
        Akka.Actor.Props.Create(() => new TrainerNodeActor(settings, factories, coordinator));
}
