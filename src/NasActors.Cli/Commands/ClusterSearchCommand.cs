using System.Diagnostics;
using NasActors.Core;
using NasActors.Runtime.Cluster;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;

namespace NasActors.Cli;

/// <summary>
/// `nas search --cluster`: validates the experiment here (nothing is submitted that would fail), joins the cluster as a
/// client, submits it to the coordinator and follows it to the end. Ctrl-C detaches; the search goes on in the cluster.
/// </summary>
internal static class ClusterSearchCommand
{
    public static async Task<int> Run(CliArgs a, ExperimentStore store, string name, string text, NasSettings settings)
    {
        var overrides = new List<string> { "cluster.roles = [client]", "cluster.port = 0" };
        if (a.Option("--seeds") is { } seeds)
            overrides.Add(NodeCommand.ListOverride("cluster.seeds", seeds, "--seeds"));
        var nodeSettings = NodeCommand.Settings(a.Option("--node-config"), overrides);

        var factory = ExperimentContext.CreateFactory(store.CheckpointDirectory(name), settings);
        using var owner = factory as IDisposable;
        factory.Validate(settings.Devices);
        settings.CreatePlan(factory.Space, factory.Costs);

        var clock = Stopwatch.StartNew();
        await using var node = ClusterNode.Start(nodeSettings, store, null, null);
        Console.WriteLine($"experiment {name}: {settings.StrategyName} on {factory.Space.Name} ({factory.Space.Choices.Length} choices, {SearchCommand.SpaceSize(factory.Space.Size)} architectures{SearchCommand.Limits(settings)}), " +
                          $"{settings.Devices.Length} slot(s), submitted to the cluster at {string.Join(", ", nodeSettings.Seeds)}; store {store.DirectoryOf(name)}");
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        var progress = new ConsoleProgress();
        try
        {
            var result = await ClusterSubmission.Run(node, name, text, progress.Report, progress.Report, TimeSpan.FromMinutes(3), cts.Token);
            if (result.Failure is { } failure) throw new ExperimentFailedException(failure, result.UserError);
            Report.PrintResult(name, factory.Space, result.Status!.Plan, settings.ExportTopK, clock.Elapsed, SearchCommand.StoreHint(store), dataset: settings.Data.Dataset);
            return 0;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Console.Error.WriteLine($"detached; experiment {name} goes on in the cluster. Follow it with: nas status {name} --store {store.Root}");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
