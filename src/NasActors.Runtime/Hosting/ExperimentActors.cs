using Akka.Actor;
using NasActors.Core.Engine;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;

namespace NasActors.Runtime.Hosting;

/// <summary>Creates one experiment's persistent actor wherever it lives: an in-process host, or the cluster's coordinator singleton.</summary>
internal static class ExperimentActors
{
    public static ExperimentProtocol.Settings Settings(NasSettings settings, string name, SearchSpace space, bool readOnly) =>
        new(name, space, settings.StrategyName, settings.Seed, settings.ResultHash, settings.LeaseTimeout, readOnly, settings.ExportTopK);

    public static IActorRef Spawn(IActorRefFactory f, string name, NasSettings settings, SearchSpace space, IPlan plan, IActorRef listener,
        ICheckpointJanitor? janitor, bool readOnly, string prefix = "", IStoreKeeper? keeper = null) =>
        f.ActorOf(ExperimentProtocol.Props(Settings(settings, name, space, readOnly), plan, listener, janitor, keeper), prefix + "experiment");
}
