using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Persistence.Sql;
using NasActors.Core.Training;
using NasActors.Runtime.Hosting;

namespace NasActors.Runtime.Cluster;

/// <summary>
/// One cluster node in this process. Controller nodes host the coordinator singleton's manager (and so the journal);
/// trainer nodes run a <see cref="TrainerNodeProtocol"/> agent; every node has a proxy to the coordinator.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    public ActorSystem System { get; }

    /// <summary>The coordinator singleton's proxy: reaches it wherever it runs, buffering while it moves.</summary>
    public IActorRef Coordinator { get; }

    public ClusterSettings Settings { get; }

    private ClusterNode(ClusterSettings settings, ExperimentStore store, IExperimentBuilder? builder,
        Func<string, string, ITrainerBackendFactory>? factories, Config? extra)
    {
        Settings = settings;
        if (settings.IsController && builder is null) throw new ArgumentNullException(nameof(builder), "a controller node needs an experiment builder");
        if (settings.IsTrainer && factories is null) throw new ArgumentNullException(nameof(factories), "a trainer node needs a backend factory builder");
        var config = ClusterAkkaConfig.Build(settings);
        if (settings.Tls.Enabled) config = ClusterTls.Config.WithFallback(config);
        if (extra is not null) config = extra.WithFallback(config);
        if (settings.IsController)
            config = config.WithFallback(ClusterJournal.Config(settings.Journal, store, settings.PostgresConnectionString, "nas.cluster.journal"));
        System = settings.Tls.Enabled
            ? ActorSystem.Create(ClusterAkkaConfig.SystemName, ClusterTls.Setup(settings.Tls, config))
            : ActorSystem.Create(ClusterAkkaConfig.SystemName, config);
        try
        {
            if (settings.IsController) SqlPersistence.Get(System); // without this the plugin's defaults are missing and recovery hangs
            DistributedPubSub.Get(System);
            if (settings.IsController)
                System.ActorOf(ClusterSingletonManager.Props(
                    CoordinatorProtocol.Props(new CoordinatorProtocol.Settings(store, settings.Journal, settings.AnnounceInterval), builder!),
                    PoisonPill.Instance, ClusterSingletonManagerSettings.Create(System)), CoordinatorProtocol.ManagerName);
            Coordinator = System.ActorOf(ClusterSingletonProxy.Props("/user/" + CoordinatorProtocol.ManagerName, ClusterSingletonProxySettings.Create(System)),
                "coordinator-proxy");
            if (settings.IsTrainer)
                System.ActorOf(TrainerNodeProtocol.Props(new TrainerNodeProtocol.Settings(settings.Devices, settings.RetryInterval), factories!, Coordinator), "trainers");
        }
        catch
        {
            System.Terminate().Wait(TimeSpan.FromSeconds(10));
            throw;
        }
    }

    public static ClusterNode Start(ClusterSettings settings, ExperimentStore store, IExperimentBuilder? builder,
        Func<string, string, ITrainerBackendFactory>? factories, Config? extra = null) =>
        new(settings, store, builder, factories, extra);

    /// <summary>Completes when this node is a cluster member (Up).</summary>
    public Task Joined()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(System).RegisterOnMemberUp(() => tcs.TrySetResult());
        return tcs.Task;
    }

    /// <summary>Leaves the cluster gracefully (singletons hand over) and stops the ActorSystem.</summary>
    public async ValueTask DisposeAsync()
    {
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
