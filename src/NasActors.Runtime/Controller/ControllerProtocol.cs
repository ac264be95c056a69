using System.Collections.Immutable;
using Akka.Actor;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.Strategies;
using NasActors.Core.Training;
using NasActors.Runtime.Serialization;

namespace NasActors.Runtime.Controller;

/// <summary>
/// The ENAS controller's protocol. The controller is a persistent actor around an LSTM policy: it samples batches of
/// architectures, records each reward once (by rollout id, acknowledged), and after a complete batch runs one
/// REINFORCE update, persisted as an event that references the new policy checkpoint (weights, Adam state, baseline,
/// RNG state, step). It also answers the proposer part of <c>PopulationProtocol</c> (RecordScore, GetRollouts for the
/// final derive batch, GetRanking), so the experiment treats it like the SPOS population where they agree.
/// </summary>
public static class ControllerProtocol
{
    /// <param name="ReadOnly">Recover and answer queries only: never create, sample or update a policy (`nas status`, `nas export`).</param>
    public sealed record Settings(string Name, int SnapshotEvery, ReinforceSettings Reinforce, long Seed, bool ReadOnly = false);

    /// <param name="janitor">Deletes policy checkpoints once a later update is journaled; null keeps them all.</param>
    public static Props Props(Settings settings, IPolicyBackendFactory factory, ICheckpointJanitor? janitor = null) =>
        Akka.Actor.Props.Create(() => new ControllerActor(settings, factory, janitor));

    public static string PersistenceId(string name) => "controller-" + name;

    // ---- commands ----

    /// <summary>The current policy checkpoint (the initial one is created from the seed on first start).</summary>
    public sealed record GetPolicy : INasSerializable
    {
        public static readonly GetPolicy Instance = new();
    }

    /// <summary>
    /// The open training batch's unrewarded rollouts for controller epoch <paramref name="Epoch"/>; samples (and
    /// persists) the next batch when none is open; <see cref="SamplesResult.EpochDone"/> once the epoch's updates are done.
    /// </summary>
    public sealed record GetSamples(int Epoch) : INasSerializable;

    // ---- replies ----

    public sealed record PolicyResult(string Policy, long Step) : INasSerializable;

    public sealed record SamplesResult(int Epoch, long Step, ImmutableArray<Rollout> Unrewarded, bool EpochDone, string Policy,
        double? Baseline, ReinforceStats? Last) : INasSerializable;

    /// <summary>The policy could not be created, sampled or updated (e.g. a corrupt policy checkpoint).</summary>
    public sealed record ControllerFailed(string Reason, bool UserError) : INasSerializable;

    // ---- journal events and snapshot ----

    public sealed record PolicyInitialized(string Policy) : INasSerializable;

    /// <param name="Step">Policy updates done when the batch was drawn.</param>
    public sealed record BatchSampled(long Step, ImmutableArray<Rollout> Rollouts, RngState RngAfter, bool Derive) : INasSerializable;

    public sealed record RewardRecorded(RolloutId Id, Metrics Metrics) : INasSerializable;

    /// <param name="Step">Updates done after this one.</param>
    public sealed record PolicyUpdated(long Step, string Policy, double Baseline, ReinforceStats Stats) : INasSerializable;

    /// <summary>The whole <see cref="ReinforceState"/>, flattened for JSON.</summary>
    public sealed record Snapshot(string? Policy, long Step, double? Baseline, RngState Rng, int NextRolloutId, ImmutableArray<Rollout> Pending,
        ImmutableArray<ScoredRollout> Rewards, bool Deriving, ReinforceStats? Last) : INasSerializable
    {
        public static Snapshot From(ReinforceState s) => new(s.Policy, s.Step, s.Baseline, s.Rng, s.NextRolloutId, s.Pending,
            [.. s.Rewards.Values], s.Deriving, s.Last);

        public ReinforceState ToState() => new(Policy, Step, Baseline, Rng, NextRolloutId, Pending,
            Rewards.ToImmutableSortedDictionary(x => x.Rollout.Id, x => x), Deriving, Last);
    }
}
