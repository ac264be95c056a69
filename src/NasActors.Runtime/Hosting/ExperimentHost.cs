using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Sql;
using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Trainers;

namespace NasActors.Runtime.Hosting;

/// <summary>
/// One experiment in this process: an ActorSystem on the experiment's SQLite store with the Experiment (the plan's
/// scheduler) and one Trainer per device.
/// </summary>
public sealed class ExperimentHost : IAsyncDisposable
{
    private readonly TaskCompletionSource<ExperimentProtocol.Completed> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StoreKeeper? _keeper;

    /// <summary>Free space an experiment needs to start (see <see cref="Core.IO.DiskSpace.Require"/>): room for the journal's WAL to grow.</summary>
    public const long MinimumFreeBytes = 1024 * 1024;

    public ActorSystem System { get; }
    public IActorRef Experiment { get; }
    public string Name { get; }

    /// <summary>Completes when the experiment finishes; faults with <see cref="ExperimentFailedException"/>.</summary>
    public Task<ExperimentProtocol.Completed> Completion => _done.Task;

    private ExperimentHost(ExperimentStore store, string name, NasSettings settings, ITrainerBackendFactory factory,
        Action<ExperimentProtocol.Progressed>? onProgress, Config? extra)
    {
        Name = name;
        // May throw a user error (impossible limits): before anything is created.
        var plan = settings.CreatePlan(factory.Space, factory.Costs);
        // Before the plugin opens (and would create) the journal: it must be the one this directory says it holds.
        StoreIdentity.Verify(store, name);
        if (!store.IsClusterExperiment(name)) Core.IO.DiskSpace.Require(store.DirectoryOf(name), MinimumFreeBytes);
        var journal = store.JournalConfig(name);
        _keeper = store.IsClusterExperiment(name) ? null : new StoreKeeper(store, name);
        var config = (extra ?? Config.Empty)
            .WithFallback(AkkaConfig.StderrLogging)
            .WithFallback(AkkaConfig.Quiet)
            .WithFallback(AkkaConfig.Serialization)
            .WithFallback(journal);
        System = ActorSystem.Create("nas", config);
        try
        {
            SqlPersistence.Get(System); // without this the plugin's defaults are missing and recovery hangs
            var dir = store.DirectoryOf(name);
            var listener = System.ActorOf(Props.Create(() => new Listener(_done, onProgress, dir)), "listener");
            var janitor = settings.KeepAllCheckpoints ? null : new CheckpointJanitor(store.CheckpointDirectory(name));
            Experiment = ExperimentActors.Spawn(System, name, settings, factory.Space, plan, listener, janitor, readOnly: false, keeper: _keeper);
            listener.Tell(new Listener.WatchExperiment(Experiment));
            for (var i = 0; i < settings.Devices.Length; i++)
                System.ActorOf(TrainerProtocol.Props(new TrainerProtocol.Settings(settings.Devices[i], factory.Space.Hash), factory, Experiment), $"trainer-{i}");
        }
        catch
        {
            System.Terminate().Wait(TimeSpan.FromSeconds(10));
            throw;
        }
    }

    public static ExperimentHost Start(ExperimentStore store, string name, NasSettings settings, ITrainerBackendFactory factory,
        Action<ExperimentProtocol.Progressed>? onProgress = null, Config? extra = null) =>
        new(store, name, settings, factory, onProgress, extra);

    public Task<ExperimentProtocol.StatusResult> Status(TimeSpan timeout) =>
        Experiment.Ask<ExperimentProtocol.StatusResult>(ExperimentProtocol.GetStatus.Instance, timeout);

    public async ValueTask DisposeAsync()
    {
        await System.Terminate().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        // Best effort: a stop must not fail for it (the file may lag; the next run records it).
        try { _keeper?.Flush(); }
        catch (Core.NasUserException) { }
    }

    private sealed class Listener : ReceiveActor
    {
        /// <summary>A journal write that failed for lack of space, as the one line that names the place (the actor does not know it).</summary>
        private static string Explain(string reason, string directory) =>
            Core.IO.DiskSpace.TryFind(reason) is null && Core.IO.DiskSpace.IsFullMessage(reason) ? Core.IO.DiskSpace.Full(directory).Message : reason;

        public sealed record WatchExperiment(IActorRef Experiment);

        private sealed record ExperimentStopped;

        public Listener(TaskCompletionSource<ExperimentProtocol.Completed> done, Action<ExperimentProtocol.Progressed>? onProgress, string directory)
        {
            // Our own message rather than Terminated, which Akka logs as an error (a death pact) when the actor stops.
            Receive<WatchExperiment>(w => Context.WatchWith(w.Experiment, new ExperimentStopped()));
            // The experiment stopped without saying why (e.g. a journal write failed): never leave the caller waiting.
            Receive<ExperimentStopped>(_ => done.TrySetException(new ExperimentFailedException(
                "the experiment actor stopped unexpectedly (its journal could not be written or replayed)", true)));
            Receive<ExperimentProtocol.Progressed>(p => onProgress?.Invoke(p));
            Receive<ExperimentProtocol.Completed>(c => done.TrySetResult(c));
            Receive<ExperimentProtocol.Failed>(f => done.TrySetException(new ExperimentFailedException(Explain(f.Reason, directory), f.UserError || Core.IO.DiskSpace.IsFullMessage(f.Reason))));
        }
    }
}
