using System.Reflection;
using NasActors.Core.Engine;
using K = NasActors.Runtime.Cluster.CoordinatorProtocol;
using E = NasActors.Runtime.Experiment.ExperimentProtocol;

namespace NasActors.Runtime.Serialization;

/// <summary>
/// The stable name of every serializable type. A manifest never changes once released: a changed shape gets a new
/// ".vN" manifest. The runtime's own types are listed here; the records a strategy brings (work, results, plan events)
/// carry a <see cref="ManifestAttribute"/> and are found in their assembly, so a new strategy needs no line here.
/// </summary>
internal static class NasManifests
{
    /// <summary>The runtime's journal events: written to the store, never sent between nodes, so not bound by the frame size.</summary>
    private static readonly IReadOnlyDictionary<string, Type> RuntimePersisted = new Dictionary<string, Type>
    {
        ["nas.experiment.started.v2"] = typeof(E.Started),
        // cluster coordinator journal
        ["nas.coordinator.experiment-submitted.v1"] = typeof(K.ExperimentSubmitted),
        ["nas.coordinator.experiment-ended.v1"] = typeof(K.ExperimentEndedV1),
        ["nas.coordinator.experiment-ended.v2"] = typeof(K.ExperimentEnded),
    };

    /// <summary>The runtime's messages: they may cross nodes, so NasSerializer refuses one larger than the remoting frame size.</summary>
    private static readonly IReadOnlyDictionary<string, Type> RuntimeMessages = new Dictionary<string, Type>
    {
        ["nas.experiment.register-trainer.v1"] = typeof(E.RegisterTrainer),
        ["nas.experiment.request-work.v1"] = typeof(E.RequestWork),
        ["nas.experiment.register-again.v1"] = typeof(E.RegisterAgain),
        ["nas.experiment.registration-refused.v1"] = typeof(E.RegistrationRefused),
        ["nas.experiment.result-acknowledged.v1"] = typeof(E.ResultAcknowledged),
        ["nas.experiment.get-status.v1"] = typeof(E.GetStatus),
        ["nas.experiment.status.v2"] = typeof(E.StatusResult),
        ["nas.experiment.work-failed.v1"] = typeof(E.WorkFailed),
        ["nas.experiment.trainer-progressed.v1"] = typeof(E.TrainerProgressed),
        ["nas.coordinator.submit-experiment.v1"] = typeof(K.SubmitExperiment),
        ["nas.coordinator.submit-result.v1"] = typeof(K.SubmitResult),
        ["nas.coordinator.get-experiment.v1"] = typeof(K.GetExperiment),
        ["nas.coordinator.experiment-result.v2"] = typeof(K.ExperimentResult),
        ["nas.coordinator.experiment-announced.v1"] = typeof(K.ExperimentAnnounced),
        ["nas.coordinator.experiment-progressed.v2"] = typeof(K.ExperimentProgressed),
    };

    /// <summary>Assemblies whose [Manifest] records are serializable: NasActors.Core, and plugins added with <see cref="AddAssembly"/>.</summary>
    private static readonly List<Assembly> Assemblies = [typeof(PlanEvent).Assembly];

    private static (IReadOnlyDictionary<string, Type> Persisted, IReadOnlyDictionary<string, Type> Messages)? _cache;

    /// <summary>Makes a plugin's work, result and event records serializable (call before any ActorSystem starts).</summary>
    public static void AddAssembly(Assembly assembly)
    {
        lock (Assemblies)
        {
            if (Assemblies.Contains(assembly)) return;
            Assemblies.Add(assembly);
            _cache = null;
        }
    }

    private static (IReadOnlyDictionary<string, Type> Persisted, IReadOnlyDictionary<string, Type> Messages) Build()
    {
        lock (Assemblies)
        {
            if (_cache is { } c) return c;
            var persisted = new Dictionary<string, Type>(RuntimePersisted);
            var messages = new Dictionary<string, Type>(RuntimeMessages);
            foreach (var t in Assemblies.SelectMany(a => a.GetTypes()))
            {
                if (t.GetCustomAttribute<ManifestAttribute>() is not { } m) continue;
                var target = typeof(PlanEvent).IsAssignableFrom(t) ? persisted : messages;
                if (persisted.ContainsKey(m.Name) || messages.ContainsKey(m.Name))
                    throw new InvalidOperationException($"manifest {m.Name} is used by two types (the second is {t.FullName})");
                target.Add(m.Name, t);
            }
            var built = (persisted, messages);
            _cache = built;
            return built;
        }
    }

    /// <summary>Journal events: written to the store only.</summary>
    public static IReadOnlyDictionary<string, Type> Persisted => Build().Persisted;

    /// <summary>Messages (including every work item and work result): they may cross nodes.</summary>
    public static IReadOnlyDictionary<string, Type> Messages => Build().Messages;

    /// <summary>The journal events and snapshots of store format 1 (before the one-engine change); see tests/golden/v1.</summary>
    private static readonly HashSet<string> Format1 =
    [
        "nas.experiment.started.v1", "nas.experiment.slice-completed.v1", "nas.experiment.round-completed.v1",
        "nas.experiment.search-completed.v1", "nas.experiment.test-completed.v1", "nas.experiment.policy-adopted.v1",
        "nas.experiment.retrain-completed.v1", "nas.experiment.snapshot.v1",
        "nas.population.generation-proposed.v1", "nas.population.score-recorded.v1", "nas.population.snapshot.v1",
        "nas.controller.policy-initialized.v1", "nas.controller.batch-sampled.v1", "nas.controller.reward-recorded.v1",
        "nas.controller.policy-updated.v1", "nas.controller.snapshot.v1",
    ];

    /// <summary>An experiment, population or controller event (or snapshot) of store format 1.</summary>
    public static bool IsFormat1(string manifest) => Format1.Contains(manifest);

    /// <summary>Every registered manifest (a manifest listed in both parts fails here).</summary>
    public static IReadOnlyDictionary<string, Type> All => Persisted.Concat(Messages).ToDictionary();
}
