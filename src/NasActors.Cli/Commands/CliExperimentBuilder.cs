using NasActors.Runtime.Cluster;
using NasActors.Runtime.Hosting;

namespace NasActors.Cli;

/// <summary>Builds submitted experiments on a controller node: settings, the Torch (or synthetic) factory, its space and costs.</summary>
internal sealed class CliExperimentBuilder(ExperimentStore store) : IExperimentBuilder
{
    public ExperimentDefinition Build(string name, string configText)
    {
        // A journaled experiment of store format 1 (resumed after a coordinator restart) is refused, never restarted.
        if (store.Exists(name)) ExperimentJournal.CheckFormat(store, name);
        var settings = NodeCommand.ExperimentSettings(configText, name);
        var factory = ExperimentContext.CreateFactory(store.CheckpointDirectory(name), settings);
        // The coordinator needs only the space and the cost table (no data): the trainers do the work.
        // The TensorBoard files are written where the experiment runs, under this node's store, as in one process.
        return new ExperimentDefinition(settings, factory.Space, factory.Costs, factory as IDisposable,
            Observability.TensorBoardObserver.Enabled ? () => Observability.TensorBoardObserver.Start(store, name, settings) : null);
    }
}
