using NasActors.Runtime.Experiment;
using K = NasActors.Runtime.Cluster.CoordinatorProtocol;
using C = NasActors.Runtime.Controller.ControllerProtocol;
using NasActors.Runtime.Population;
using E = NasActors.Runtime.Experiment.ExperimentProtocol;
using P = NasActors.Runtime.Population.PopulationProtocol;

namespace NasActors.Runtime.Serialization;

/// <summary>
/// The stable name of every serializable type. A manifest never changes once released: a changed shape gets a new
/// ".vN" manifest (and the old type stays to replay old journals).
/// </summary>
internal static class NasManifests
{
    /// <summary>Journal events and snapshots: written to the store, never sent between nodes, so not bound by the frame size.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Persisted = new Dictionary<string, Type>
    {
        // experiment journal + snapshot
        ["nas.experiment.started.v1"] = typeof(E.Started),
        ["nas.experiment.slice-completed.v1"] = typeof(E.SliceCompleted),
        ["nas.experiment.round-completed.v1"] = typeof(E.RoundCompleted),
        ["nas.experiment.search-completed.v1"] = typeof(E.SearchCompleted),
        ["nas.experiment.test-completed.v1"] = typeof(E.TestCompleted),
        ["nas.experiment.policy-adopted.v1"] = typeof(E.PolicyAdopted),
        ["nas.experiment.retrain-completed.v1"] = typeof(E.RetrainCompleted),
        ["nas.experiment.snapshot.v1"] = typeof(ExperimentState),
        // population journal + snapshot
        ["nas.population.generation-proposed.v1"] = typeof(P.GenerationProposed),
        ["nas.population.score-recorded.v1"] = typeof(P.ScoreRecorded),
        ["nas.population.snapshot.v1"] = typeof(P.Snapshot),
        // ENAS controller journal + snapshot
        ["nas.controller.policy-initialized.v1"] = typeof(C.PolicyInitialized),
        ["nas.controller.batch-sampled.v1"] = typeof(C.BatchSampled),
        ["nas.controller.reward-recorded.v1"] = typeof(C.RewardRecorded),
        ["nas.controller.policy-updated.v1"] = typeof(C.PolicyUpdated),
        ["nas.controller.snapshot.v1"] = typeof(C.Snapshot),
        // cluster coordinator journal
        ["nas.coordinator.experiment-submitted.v1"] = typeof(K.ExperimentSubmitted),
        ["nas.coordinator.experiment-ended.v1"] = typeof(K.ExperimentEnded),
    };

    /// <summary>Messages: they may cross nodes, so NasSerializer refuses one larger than the remoting frame size.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Messages = new Dictionary<string, Type>
    {
        ["nas.experiment.register-trainer.v1"] = typeof(E.RegisterTrainer),
        ["nas.experiment.request-work.v1"] = typeof(E.RequestWork),
        ["nas.experiment.register-again.v1"] = typeof(E.RegisterAgain),
        ["nas.experiment.registration-refused.v1"] = typeof(E.RegistrationRefused),
        ["nas.experiment.result-acknowledged.v1"] = typeof(E.ResultAcknowledged),
        ["nas.experiment.get-status.v1"] = typeof(E.GetStatus),
        ["nas.experiment.status.v1"] = typeof(E.StatusResult),
        ["nas.experiment.train-slice.v1"] = typeof(E.TrainSlice),
        ["nas.experiment.merge-slices.v1"] = typeof(E.MergeSlices),
        ["nas.experiment.score-rollout.v1"] = typeof(E.ScoreRollout),
        ["nas.experiment.slice-trained.v1"] = typeof(E.SliceTrained),
        ["nas.experiment.slices-merged.v1"] = typeof(E.SlicesMerged),
        ["nas.experiment.rollout-scored.v1"] = typeof(E.RolloutScored),
        ["nas.experiment.retrain-rollout.v1"] = typeof(E.RetrainRollout),
        ["nas.experiment.rollout-retrained.v1"] = typeof(E.RolloutRetrained),
        ["nas.experiment.work-failed.v1"] = typeof(E.WorkFailed),
        ["nas.experiment.trainer-progressed.v1"] = typeof(E.TrainerProgressed),
        ["nas.population.get-rollouts.v1"] = typeof(P.GetRollouts),
        ["nas.population.record-score.v1"] = typeof(P.RecordScore),
        ["nas.population.get-ranking.v1"] = typeof(P.GetRanking),
        ["nas.population.rollouts.v1"] = typeof(P.RolloutsResult),
        ["nas.population.score-recorded-result.v1"] = typeof(P.ScoreRecordedResult),
        ["nas.population.ranking.v1"] = typeof(P.RankingResult),
        ["nas.controller.get-policy.v1"] = typeof(C.GetPolicy),
        ["nas.controller.get-samples.v1"] = typeof(C.GetSamples),
        ["nas.controller.policy.v1"] = typeof(C.PolicyResult),
        ["nas.controller.samples.v1"] = typeof(C.SamplesResult),
        ["nas.controller.failed.v1"] = typeof(C.ControllerFailed),
        ["nas.coordinator.submit-experiment.v1"] = typeof(K.SubmitExperiment),
        ["nas.coordinator.submit-result.v1"] = typeof(K.SubmitResult),
        ["nas.coordinator.get-experiment.v1"] = typeof(K.GetExperiment),
        ["nas.coordinator.experiment-result.v1"] = typeof(K.ExperimentResult),
        ["nas.coordinator.experiment-announced.v1"] = typeof(K.ExperimentAnnounced),
        ["nas.coordinator.experiment-progressed.v1"] = typeof(K.ExperimentProgressed),
    };

    /// <summary>Every registered manifest (a manifest listed in both parts fails here, at type initialisation).</summary>
    public static readonly IReadOnlyDictionary<string, Type> All = Persisted.Concat(Messages).ToDictionary();
}
