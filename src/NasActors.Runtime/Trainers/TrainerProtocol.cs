using Akka.Actor;
using NasActors.Core.Training;

namespace NasActors.Runtime.Trainers;

/// <summary>
/// A trainer owns one device. It registers with the experiment, pulls work when idle, runs it on its own thread and
/// reports results and progress (messages of <see cref="Experiment.ExperimentProtocol"/>). A result is re-sent every
/// <see cref="Settings.RetryInterval"/> until the experiment acknowledges it.
/// </summary>
public static class TrainerProtocol
{
    /// <param name="SpaceHash">The search space this trainer's backend was built for, stated when it registers (null: not stated).</param>
    public sealed record Settings(string Device, string? SpaceHash = null, TimeSpan? RetryInterval = null)
    {
        public static readonly TimeSpan DefaultRetryInterval = TimeSpan.FromSeconds(2);
        public TimeSpan Retry => RetryInterval ?? DefaultRetryInterval;
    }

    /// <param name="experiment">Where registration, results and progress go: the experiment, or in a cluster the coordinator singleton's proxy.</param>
    public static Props Props(Settings settings, ITrainerBackendFactory factory, IActorRef experiment) =>
        Akka.Actor.Props.Create(() => new TrainerActor(settings, factory, experiment));

    /// <summary>The coordinator moved to another node (a new incarnation): register with it again.</summary>
    public sealed record Reconnect
    {
        public static readonly Reconnect Instance = new();
    }
}
