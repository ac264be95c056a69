using System.Collections.Immutable;
using Akka.Actor;
using NasActors.Core.Experiments;
using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Serialization;

namespace NasActors.Runtime.Experiment;

/// <summary>
/// The experiment coordinator's protocol. The Experiment owns the phases (supernet training → evolution → test),
/// the queue of work and who is doing what; trainers register, pull work when idle and report results, which are
/// keyed so that a late or duplicate result is recognised and ignored.
/// </summary>
public static class ExperimentProtocol
{
    /// <summary>Typed settings of one experiment.</summary>
    /// <param name="Slots">Supernet training slots (data-parallel replicas) per round: one per trainer.</param>
    /// <param name="ReadOnly">Recover and answer queries, but hand out no work (for `nas status` / `nas export`).</param>
    public sealed record Settings(
        string Name,
        string SpaceHash,
        long Seed,
        int Slots,
        long StepsPerSlot,
        int StepsPerRound,
        int BatchSize,
        TimeSpan LeaseTimeout,
        int SnapshotEvery,
        int Generations,
        int ExpectedCandidates,
        string SettingsHash,
        bool ReadOnly = false,
        int Epochs = 0,
        int ControllerStepsPerEpoch = 0,
        long RetrainSteps = 0)
    {
        public int Rounds => (int)((StepsPerSlot + StepsPerRound - 1) / StepsPerRound);

        /// <summary>ENAS: shared-weight training alternates with controller training, <see cref="Epochs"/> times.</summary>
        public bool Enas => Epochs > 0;

        public static Settings Create(NasSettings nas, string name, string spaceHash, bool readOnly = false) => new(
            name, spaceHash, nas.Seed, nas.Devices.Length, nas.StepsPerSlot,
            nas.Train.StepsPerRound, nas.Train.BatchSize, nas.LeaseTimeout, nas.SnapshotEvery,
            nas.IsEnas ? 1 : nas.Evolution.Generations,
            nas.IsEnas ? nas.Enas.Reinforce.DeriveSamples : nas.Evolution.Generations * nas.Evolution.PopulationSize, nas.ResultHash, readOnly,
            nas.IsEnas ? nas.Enas.Reinforce.Epochs : 0, nas.IsEnas ? nas.Enas.Reinforce.StepsPerEpoch : 0, nas.RetrainSteps);
    }

    /// <param name="population">The proposer: the SPOS/random population, or the ENAS controller.</param>
    /// <param name="janitor">Deletes checkpoints that no future work needs; null keeps them all.</param>
    public static Props Props(Settings settings, IActorRef population, IActorRef? listener, ICheckpointJanitor? janitor = null) =>
        Akka.Actor.Props.Create(() => new ExperimentActor(settings, population, listener ?? ActorRefs.Nobody, janitor));

    public static string PersistenceId(string name) => "experiment-" + name;

    /// <summary>Supernet: (shared-)weight training; Controller: ENAS controller training between epochs; Search: evolution or ENAS derive.</summary>
    public enum Phase { Supernet, Search, Test, Finished, Controller, Retrain }

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

    // ---- work handed to trainers: each a pure function of its fields, so redoing it gives the same result ----

    public abstract record Work : INasSerializable
    {
        /// <summary>Identity of the work: results carry it back, duplicates share it.</summary>
        public abstract string Key { get; }
    }

    public sealed record TrainSlice(SupernetSlice Slice) : Work
    {
        public override string Key => $"slice/{Slice.Round}/{Slice.Slot}";
    }

    public sealed record MergeSlices(int Round, ImmutableArray<string> Checkpoints) : Work
    {
        public override string Key => $"merge/{Round}";
    }

    /// <param name="Batch">ENAS reward: score on validation minibatch number Batch only (see ITrainerBackend.ScoreMinibatch); -1 = the whole split.</param>
    public sealed record ScoreRollout(Rollout Rollout, string Checkpoint, EvalSplit Split, long Batch = -1) : Work
    {
        public override string Key => $"{(Split == EvalSplit.Test ? "test" : Batch >= 0 ? "reward" : "score")}/{Rollout.Id}";
    }

    /// <summary>Train the architecture from scratch, alone, and measure it on the test split (nas.retrain).</summary>
    public sealed record RetrainRollout(Rollout Rollout, long Steps) : Work
    {
        public override string Key => $"retrain/{Rollout.Id}";
    }

    // ---- results and progress from trainers ----

    public sealed record SliceTrained(string Key, SupernetSlice Slice, SliceResult Result) : INasSerializable;
    public sealed record SlicesMerged(string Key, int Round, string Checkpoint) : INasSerializable;
    public sealed record RolloutScored(string Key, RolloutId Id, EvalSplit Split, Metrics Metrics) : INasSerializable;
    public sealed record RolloutRetrained(string Key, RolloutId Id, Metrics Metrics) : INasSerializable;

    /// <summary>Work failed. <paramref name="UserError"/>: a problem the user must fix (corrupt checkpoint, bad device).</summary>
    public sealed record WorkFailed(string Key, string Device, string Reason, bool UserError) : INasSerializable;

    public sealed record TrainerProgressed(string Device, TrainProgress Progress) : INasSerializable;

    // ---- queries ----

    public sealed record GetStatus : INasSerializable
    {
        public static readonly GetStatus Instance = new();
    }

    /// <param name="Epochs">ENAS epochs (0 for SPOS); <paramref name="ControllerEpochsDone"/> of them have trained the controller.</param>
    public sealed record StatusResult(
        string Name, Phase Phase, int RoundsDone, int Rounds, long ImagesTrained, string? SupernetCheckpoint,
        ImmutableArray<ScoredRollout> Top, Metrics? TestMetrics, int Trainers, int InFlight,
        int Epochs = 0, int ControllerEpochsDone = 0, string? Policy = null, RetrainCompleted? Retrained = null) : INasSerializable;

    // ---- journal events (versioned by manifest; see NasManifests) ----

    /// <param name="SettingsHash">Fingerprint of every setting that changes results (null in journals from before it existed).</param>
    /// <param name="Epochs">ENAS epochs; 0 for SPOS and random search.</param>
    /// <param name="RetrainSteps">nas.retrain.steps; 0 = no retraining.</param>
    public sealed record Started(string Name, string SpaceHash, long Seed, int Slots, int Rounds, long StepsPerSlot, string? SettingsHash = null, int Epochs = 0,
        long RetrainSteps = 0) : INasSerializable;
    public sealed record SliceCompleted(int Round, int Slot, string Checkpoint, double Loss, double Accuracy, int Images, double Seconds) : INasSerializable;
    public sealed record RoundCompleted(int Round, string Checkpoint) : INasSerializable;
    public sealed record SearchCompleted(ImmutableArray<ScoredRollout> Top) : INasSerializable;
    public sealed record TestCompleted(RolloutId Id, Metrics Metrics) : INasSerializable;

    /// <summary>The best architecture, retrained from scratch for <paramref name="Steps"/> steps, measured on the test split.</summary>
    public sealed record RetrainCompleted(RolloutId Id, long Steps, Metrics Metrics) : INasSerializable;

    /// <summary>ENAS: shared-weight training of epoch <paramref name="Epoch"/> samples its paths from <paramref name="Policy"/>;
    /// every earlier epoch has finished its controller training.</summary>
    public sealed record PolicyAdopted(int Epoch, string Policy) : INasSerializable;

    // ---- notifications to the listener (the CLI's console) ----

    public sealed record Progressed(StatusResult Status, string Line);
    public sealed record Completed(StatusResult Status);
    public sealed record Failed(string Reason, bool UserError);
}
