using System.Diagnostics;
using System.Globalization;
using NasActors.Core;
using NasActors.Core.SearchSpaces;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;

namespace NasActors.Cli;

/// <summary>`nas search` and `nas resume`: run an experiment to completion in this process.</summary>
internal static class SearchCommand
{
    public const string DefaultConfig = "hocon/spos-fashion.conf";

    public static async Task<int> Search(CliArgs a)
    {
        // The default config: ./hocon/spos-fashion.conf when run from the repository, else the copy beside the binary.
        var path = a.Option("--config") ?? (File.Exists(DefaultConfig) ? DefaultConfig : Path.Combine(AppContext.BaseDirectory, DefaultConfig));
        if (!File.Exists(path))
            throw new NasUserException($"config file {path} not found; pass an existing file with --config (see hocon/)");
        if (a.Positional.Length > 0)
            throw new NasUserException($"`nas search` takes no positional arguments (got '{a.Positional[0]}'); name the experiment with --name {a.Positional[0]}");
        var text = NasConfig.ComposeText(ConfigFiles.Read(path), a.All("--set"));
        var settings = NasSettings.Create(NasConfig.Parse(text, path), path);
        if (settings.IntraOpThreads == 0)
        {
            // Results are bit-identical only for a fixed thread count: pin what "auto" means on this machine, so a
            // resume elsewhere computes the same thing.
            text += $"nas.trainers.intra-op-threads = {settings.EffectiveThreads} # pinned at creation\n";
            settings = NasSettings.Create(NasConfig.Parse(text, path), path);
        }
        var store = new ExperimentStore(a.Store);
        var name = a.Option("--name") ?? $"{settings.StrategyName}-{DateTime.Now:yyyyMMdd-HHmmss}";
        ExperimentStore.CheckName(name);
        if (a.Flag("--cluster")) return await ClusterSearchCommand.Run(a, store, name, text, settings);
        if (a.Option("--seeds") is not null || a.Option("--node-config") is not null)
            throw new NasUserException("--seeds and --node-config apply to a cluster search; add --cluster");
        if (store.Exists(name))
            throw new NasUserException($"experiment '{name}' already exists in {store.Root}; continue it with `nas resume {name}` or pick another --name");

        var factory = ExperimentContext.CreateFactory(store, name, settings);
        using var owner = factory as IDisposable;
        // Everything that can be wrong with the input is checked before the store is touched: nothing half-written.
        factory.Validate(settings.Devices);
        settings.CreatePlan(factory.Space, factory.Costs);
        store.Create(name, text);
        using var lease = store.Lock(name);
        Console.WriteLine($"experiment {name}: {settings.StrategyName} on {factory.Space.Name} ({factory.Space.Choices.Length} choices, {SpaceSize(factory.Space.Size)} architectures{Limits(settings)}), " +
                          $"{settings.Devices.Length} trainer(s) [{string.Join(", ", settings.Devices)}], {settings.EffectiveThreads} intra-op thread(s), store {store.DirectoryOf(name)}");
        return await Run(new ExperimentContext(store, name, settings, factory));
    }

    public static async Task<int> Resume(CliArgs a)
    {
        var store = new ExperimentStore(a.Store);
        var name = a.RequireName();
        if (store.Exists(name)) Runtime.Hosting.ExperimentJournal.CheckFormat(store, name);
        if (store.Exists(name) && store.IsClusterExperiment(name))
            throw new NasUserException($"experiment '{name}' runs on a cluster: start its controller nodes (`nas node --role controller`) and its coordinator resumes it; follow it with `nas search --cluster --name {name}` and the same config");
        var ctx = ExperimentContext.Open(store, name);
        using var owner = ctx;
        using var lease = store.Lock(ctx.Name);
        ctx.Factory.Validate(ctx.Settings.Devices);
        Console.WriteLine($"resuming experiment {ctx.Name} from {store.DirectoryOf(ctx.Name)}");
        return await Run(ctx);
    }

    private static async Task<int> Run(ExperimentContext ctx)
    {
        var clock = Stopwatch.StartNew();
        var progress = new ConsoleProgress();
        var host = ExperimentHost.Start(ctx.Store, ctx.Name, ctx.Settings, ctx.Factory, progress.Report);
        var interrupted = new TaskCompletionSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; interrupted.TrySetResult(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var finished = await Task.WhenAny(host.Completion, interrupted.Task);
            if (finished == interrupted.Task)
            {
                Console.Error.WriteLine($"interrupted; everything done so far is in the journal. Continue with: nas resume {ctx.Name}" + StoreHint(ctx));
                return 130;
            }
            var done = await host.Completion;
            Report.PrintResult(ctx.Name, ctx.Factory.Space, done.Status.Plan, ctx.Settings.ExportTopK, clock.Elapsed);
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            await host.DisposeAsync();
        }
    }

    internal static string SpaceSize(double n) => n < 1e9 ? n.ToString("N0", CultureInfo.InvariantCulture) : n.ToString("G3", CultureInfo.InvariantCulture);

    internal static string Limits(NasSettings s) =>
        (s.MaxFlops > 0 ? string.Create(CultureInfo.InvariantCulture, $", FLOPs <= {s.MaxFlops / 1e6:F2} M") : "")
        + (s.MaxParams > 0 ? string.Create(CultureInfo.InvariantCulture, $", params <= {s.MaxParams:N0}") : "");

    private static string StoreHint(ExperimentContext ctx) =>
        Path.GetFullPath("experiments") == ctx.Store.Root ? "" : $" --store {ctx.Store.Root}";
}
