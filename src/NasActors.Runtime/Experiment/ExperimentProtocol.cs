using System.Collections.Immutable;
using Akka.Actor;
using NasActors.Core.Engine;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Runtime.Serialization;

namespace NasActors.Runtime.Experiment;

/// <summary>
/// The experiment's protocol. The experiment is a generic scheduler around a strategy's plan (<see cref="IPlan"/>): it
/// journals the plan's events, hands the work the plan asks for to trainers that pull it when idle, leases it, takes
/// results back (keyed, so a late or duplicate one is recognised), acknowledges them once journaled, and reports
/// structured progress. It knows no strategy.
/// </summary>
public static class ExperimentProtocol
{
    /// <summary>Typed settings of one experiment.</summary>
    /// <param name="Space">The search space searched: journaled when the experiment starts, so status and export need nothing else.</param>
    /// <param name="ReadOnly">Recover and answer queries, but hand out no work.</param>
    /// <param name="StatusTop">Candidates a status message carries at most (nas.export.top-k): status crosses nodes.</param>
    public sealed record Settings(string Name, SearchSpace Space, string Strategy, long Seed, string SettingsHash, TimeSpan LeaseTimeout, bool ReadOnly = false,
        int StatusTop = 5);

    /// <param name="janitor">Deletes checkpoints the plan releases; null keeps them all.</param>
    public static Props Props(Settings settings, IPlan plan, IActorRef? listener, ICheckpointJanitor? janitor = null, IStoreKeeper? keeper = null) =>
        Akka.Actor.Props.Create(() => new ExperimentActor(settings, plan, listener ?? ActorRefs.Nobody, janitor, keeper));

    /// <summary>Format 2 (one engine): one journal per experiment. Format 1 journals used "experiment-", "population-" and "controller-".</summary>
    public static string PersistenceId(string name) => "nas2-experiment-" + name;

    /// <summary>The store format this version writes and reads.</summary>
    public const int Format = 2;

    // ---- commands from trainers ----

    // These two carry actor refs: NasSerializer writes a ref as its serialized path (with the address other nodes
    // know it by) and resolves it on the receiving node, so a remote trainer gets a ref the experiment can watch and reply to.

    /// <summary>
    /// A trainer announces itself; the experiment watches it and hands it work when idle. A trainer whose protocol
    /// version or search-space hash (null: not stated, in-process only) differs is refused with
    /// <see cref="RegistrationRefused"/> and never gets work. <paramref name="Holding"/>: the key of work the trainer is
    /// still running (re-registering with a new coordinator); it is not idle until it asks for work.
    /// </summary>
    public sealed record RegisterTrainer(IActorRef Trainer, string Device, string? SpaceHash = null, int ProtocolVersion = NasProtocol.Version,
        string? Holding = null) : INasSerializable;

    /// <summary>The trainer is idle and wants the next work item. An unregistered trainer is told <see cref="RegisterAgain"/>.</summary>
    public sealed record RequestWork(IActorRef Trainer) : INasSerializable;

    /// <summary>The experiment does not know this trainer (it restarted, or moved to another node): register first.</summary>
    public sealed record RegisterAgain : INasSerializable
    {
        public static readonly RegisterAgain Instance = new();
    }

    /// <summary>Registration refused (another protocol version or search space); the trainer stops.</summary>
    public sealed record RegistrationRefused(string Reason) : INasSerializable;

    /// <summary>
    /// The result of <paramref name="Key"/> is safe: journaled (or recognised as a duplicate). Trainers re-send a result
    /// until it is acknowledged, so a result sent while the coordinator moves between nodes is not lost.
    /// </summary>
    public sealed record ResultAcknowledged(string Key) : INasSerializable;

    // Work goes to trainers as the plan's WorkItem records, results come back as WorkResult records (both open kinds,
    // serialized by manifest).

    /// <summary>Work failed. <paramref name="UserError"/>: a problem the user must fix (corrupt checkpoint, bad device).</summary>
    public sealed record WorkFailed(string Key, string Device, string Reason, bool UserError) : INasSerializable;

    public sealed record TrainerProgressed(string Device, TrainProgress Progress) : INasSerializable;

    // ---- queries ----

    public sealed record GetStatus : INasSerializable
    {
        public static readonly GetStatus Instance = new();
    }

    /// <summary>Where the experiment stands: the plan's own status, and the trainers working for it.</summary>
    public sealed record StatusResult(string Name, PlanStatus Plan, int Trainers, int InFlight) : INasSerializable;

    // ---- journal ----

    /// <summary>
    /// The first event of every experiment: what it searches with which strategy and settings. The space's choices are
    /// here so that `nas status` and `nas export` read an experiment without building any network.
    /// </summary>
    public sealed record Started(int Format, string Name, string Space, string SpaceHash, ImmutableArray<Choice> Choices, string Strategy, long Seed,
        string SettingsHash) : INasSerializable
    {
        public SearchSpace ToSpace() => SearchSpace.Create(Space, Choices);
    }

    // ---- notifications to the listener (the CLI's console, or the cluster coordinator) ----

    /// <param name="Live">The trainer report this notification is for, if any (null: the plan moved on).</param>
    /// <param name="ImagesPerSecond">Training throughput of all trainers since this process started the experiment (0 before any).</param>
    public sealed record Progressed(StatusResult Status, TrainerProgressed? Live, double ImagesPerSecond);
    public sealed record Completed(StatusResult Status);
    public sealed record Failed(string Reason, bool UserError);
}
