using Akka.Actor;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Serialization;

namespace NasActors.Runtime.Cluster;

/// <summary>
/// The cluster's coordinator: a persistent cluster singleton on a controller node. It accepts submitted experiments,
/// runs the current one's Experiment as its child, forwards trainer
/// traffic to them, announces the experiment to trainer nodes over DistributedPubSub and publishes its progress. When
/// its node dies it restarts on another controller node and recovers everything from the journal.
/// </summary>
public static class CoordinatorProtocol
{
    /// <summary>The singleton manager's name under /user on every controller node.</summary>
    public const string ManagerName = "nas-coordinator";
    public const string SingletonName = "coordinator";
    public const string PersistenceId = "nas-coordinator";

    /// <summary>DistributedPubSub topic of <see cref="ExperimentAnnounced"/>, to which trainer nodes subscribe.</summary>
    public const string TrainersTopic = "nas-trainers";

    /// <summary>DistributedPubSub topic of one experiment's <see cref="ExperimentProgressed"/> lines.</summary>
    public static string ProgressTopic(string name) => "nas-progress-" + name;

    /// <param name="Journal">sqlite or postgres: written to STORE/NAME/journal.conf so `nas status/export` find the journal.</param>
    public sealed record Settings(ExperimentStore Store, string Journal, TimeSpan AnnounceInterval);

    public static Props Props(Settings settings, IExperimentBuilder builder) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(settings, builder));

    // ---- commands (from `nas search --cluster`) ----

    /// <summary>Run this experiment. Idempotent by name: re-submitting a running or finished one is accepted.</summary>
    public sealed record SubmitExperiment(string Name, string ConfigText, int ProtocolVersion) : INasSerializable;

    public sealed record SubmitResult(string Name, bool Accepted, string? Error = null, bool UserError = true) : INasSerializable;

    public sealed record GetExperiment(string Name) : INasSerializable;

    /// <param name="Known">Submitted to this cluster.</param>
    /// <param name="Failure">Why it failed (null if it completed or is running).</param>
    public sealed record ExperimentResult(string Name, bool Known, bool Finished, ExperimentProtocol.StatusResult? Status,
        string? Failure, bool UserError) : INasSerializable;

    // ---- published ----

    /// <summary>
    /// The running experiment, for trainer nodes: they build its backend from <paramref name="ConfigText"/> and start
    /// trainers. A new <paramref name="Incarnation"/> means the coordinator restarted (e.g. moved node): trainers register again.
    /// </summary>
    public sealed record ExperimentAnnounced(string Name, string ConfigText, string SpaceHash, int ProtocolVersion, string Incarnation) : INasSerializable;

    /// <summary>The running experiment's progress, as data (the client renders it like `nas search` does).</summary>
    public sealed record ExperimentProgressed(string Name, ExperimentProtocol.StatusResult Status, ExperimentProtocol.TrainerProgressed? Live,
        double ImagesPerSecond) : INasSerializable;

    // ---- journal events ----

    public sealed record ExperimentSubmitted(string Name, string ConfigText) : INasSerializable;
    public sealed record ExperimentEnded(string Name, ExperimentResult Result) : INasSerializable;

    /// <summary>How an experiment of store format 1 ended (before the one-engine change); only its name is read back.</summary>
    public sealed record ExperimentEndedV1(string Name) : INasSerializable;
}
