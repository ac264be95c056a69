using System.Diagnostics;
using System.Globalization;
using NasActors.Core;
using NasActors.Core.Engine;
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
        return await Start(a, path, NasConfig.ComposeText(ConfigFiles.Read(path), a.All("--set")));
    }

    /// <summary>
    /// Creates and runs a new experiment from the composed config <paramref name="text"/> (file + --set lines; `nas train`
    /// adds its architecture): every input is checked before the store is touched.
    /// </summary>
    internal static async Task<int> Start(CliArgs a, string path, string text)
    {
        var overrides = a.All("--set");
        NasSettings settings;
        Akka.Configuration.Config config;
        try { settings = NasSettings.Create(config = NasConfig.Parse(text, path), path); }
        catch (NasUserException e) { throw BlameOverride(e, path, overrides); }
        // Results are bit-identical only for a fixed thread count: pin what "auto" means on this machine, so a resume
        // elsewhere computes the same thing. Plugins are pinned to full paths: the stored copy lives elsewhere.
        var pins = (settings.IntraOpThreads == 0 ? $"nas.trainers.intra-op-threads = {settings.EffectiveThreads} # pinned at creation\n" : "")
                   + Plugins.PinLine(config, path);
        if (pins.Length > 0)
        {
            text += pins;
            settings = NasSettings.Create(NasConfig.Parse(text, path), path);
        }
        var store = ExperimentContext.OpenStore(a);
        var name = a.Option("--name") ?? $"{settings.StrategyName}-{DateTime.Now:yyyyMMdd-HHmmss}";
        ExperimentStore.CheckName(name);
        if (a.Flag("--cluster")) return await ClusterSearchCommand.Run(a, store, name, text, settings);
        if (a.Option("--seeds") is not null || a.Option("--node-config") is not null)
            throw new NasUserException("--seeds and --node-config apply to a cluster search; add --cluster");
        if (store.Exists(name))
            throw new NasUserException($"experiment '{name}' already exists in {store.Root}; continue it with `{Nas.CommandName} resume {name}` or pick another --name");

        var factory = ExperimentContext.CreateFactory(store, name, settings);
        using var owner = factory as IDisposable;
        // Everything that can be wrong with the input is checked before the store is touched: nothing half-written.
        factory.Validate(settings.Devices);
        settings.CreatePlan(factory.Space, factory.Costs);
        try { store.Create(name, text); }
        catch (NasUserException e) when (Core.IO.DiskSpace.TryFind(e.Message) is { } full)
        {
            // Created whole or not at all: nothing to resume.
            throw new NasUserException($"{full}: free space, then run the same `nas search` again (nothing was created)");
        }
        using var lease = store.Lock(name);
        if (!a.Flag("--quiet")) Console.WriteLine($"experiment {name}: {settings.StrategyName} on {factory.Space.Name} ({factory.Space.Choices.Length} choices, {SpaceSize(factory.Space.Size)} architectures{Limits(settings)}), " +
                          $"{settings.Devices.Length} trainer(s) [{string.Join(", ", settings.Devices)}], {settings.EffectiveThreads} intra-op thread(s), store {store.DirectoryOf(name)}");
        return await Run(new ExperimentContext(store, name, settings, factory), a.Flag("--quiet"));
    }

    public static async Task<int> Resume(CliArgs a)
    {
        var store = ExperimentContext.OpenStore(a);
        var name = a.RequireName();
        ExperimentContext.CheckConfigPresent(store, name);
        if (store.Exists(name)) Runtime.Hosting.ExperimentJournal.CheckFormat(store, name);
        if (store.Exists(name) && store.IsClusterExperiment(name))
            throw new NasUserException($"experiment '{name}' runs on a cluster: start its controller nodes (`nas node --role controller`) and its coordinator resumes it; follow it with `nas search --cluster --name {name}` and the same config");
        var ctx = ExperimentContext.Open(store, name);
        using var owner = ctx;
        using var lease = store.Lock(ctx.Name);
        ctx.Factory.Validate(ctx.Settings.Devices);
        if (!a.Flag("--quiet")) Console.WriteLine($"resuming experiment {ctx.Name} from {store.DirectoryOf(ctx.Name)}");
        return await Run(ctx, a.Flag("--quiet"));
    }

    private static async Task<int> Run(ExperimentContext ctx, bool quiet)
    {
        try { return await RunHost(ctx, quiet); }
        catch (Exception e) when (e is NasUserException or ExperimentFailedException && Core.IO.DiskSpace.TryFind(e.Message) is { } full)
        {
            // Whatever layer ran out of space (journal, checkpoint, identity file), everything journaled is intact.
            throw new NasUserException($"{full}: free space, then `{Nas.CommandName} resume {ctx.Name}{StoreHint(ctx.Store)}`");
        }
    }

    /// <summary>A terminal gets the live view; redirected output (pipes, CI, logs) plain timestamped lines; --quiet nothing but the result.</summary>
    internal static bool IsTerminal => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "" or "dumb");

    private static async Task<int> RunHost(ExperimentContext ctx, bool quiet)
    {
        var clock = Stopwatch.StartNew();
        var plain = quiet || IsTerminal ? null : new ConsoleProgress();
        Observability.LiveProgress? live = null;
        Observability.TensorBoardObserver? tensorBoard = null;
        var host = ExperimentHost.Start(ctx.Store, ctx.Name, ctx.Settings, ctx.Factory, p =>
        {
            plain?.Report(p);
            Volatile.Read(ref live)?.Report(p);
            Volatile.Read(ref tensorBoard)?.Notify(p);
        });
        if (!quiet && IsTerminal)
            Volatile.Write(ref live, new Observability.LiveProgress(Spectre.Console.AnsiConsole.Console, $"experiment {ctx.Name} · {ctx.Settings.StrategyName} on {ctx.Factory.Space.Name}"));
        // Only once the host has accepted the store (identity, space): the observer never writes beside a refused journal.
        if (Observability.TensorBoardObserver.Enabled) Volatile.Write(ref tensorBoard, Observability.TensorBoardObserver.Start(ctx.Store, ctx.Name, ctx.Settings));
        var interrupted = new TaskCompletionSource();
        var disposed = false;
        // Ctrl-C (SIGINT, exit 130) and SIGTERM (exit 143, what `kill` and service managers send) both stop the run
        // cleanly: the journal keeps everything done so far and the resume hint is printed.
        var signal = 0;
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; Interlocked.CompareExchange(ref signal, 130, 0); interrupted.TrySetResult(); };
        Console.CancelKeyPress += onCancel;
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            Interlocked.CompareExchange(ref signal, 143, 0);
            interrupted.TrySetResult();
        });
        try
        {
            var finished = await Task.WhenAny(host.Completion, interrupted.Task);
            if (finished == interrupted.Task)
            {
                // Stop the run first, so that the journal is closed when the hint says it is complete.
                await host.DisposeAsync();
                disposed = true;
                if (live is not null) await live.DisposeAsync(); // its last frame stays above the message
                live = null;
                Console.Error.WriteLine($"interrupted{(signal == 143 ? " (SIGTERM)" : "")}; everything done so far is in the journal. Continue with: {Nas.CommandName} resume {ctx.Name}" + StoreHint(ctx.Store));
                return signal == 0 ? 130 : signal;
            }
            var done = await host.Completion;
            if (live is not null) await live.DisposeAsync();
            live = null;
            tensorBoard?.Dispose(); // everything is journaled: the files catch up before the result is printed
            Report.PrintResult(ctx.Name, ctx.Factory.Space, done.Status.Plan, ctx.Settings.ExportTopK, clock.Elapsed, StoreHint(ctx.Store),
                ctx.Store.CheckpointDirectory(ctx.Name), SaveModel(ctx, done.Status.Plan), ctx.Settings.Data.Dataset);
            if (tensorBoard?.Failure is { } why)
                Console.WriteLine($"note: the TensorBoard files in {Path.Combine(ctx.Store.DirectoryOf(ctx.Name), Observability.TensorBoardObserver.Folder)} stopped early ({why}); the search itself is complete");
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            if (!disposed) await host.DisposeAsync();
            if (live is not null) await live.DisposeAsync();
            tensorBoard?.Dispose(); // after the host: it catches up with everything journaled
        }
    }

    /// <summary>The retrained model as a saved model folder (STORE/NAME/model); null without retraining.</summary>
    private static string? SaveModel(ExperimentContext ctx, PlanStatus status)
    {
        if (status.Retrained is not { } rt || status.Ranking.FirstOrDefault(r => r.Rollout.Id == rt.Id) is not { } ranked) return null;
        try
        {
            return Models.SavedModel.Save(ctx.Store, ctx.Name, ctx.Settings, ctx.Factory.Space, ranked.Rollout.Architecture, rt);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NasUserException)
        {
            // The experiment is complete and journaled; only its derived model folder is missing, and resume writes it.
            Console.Error.WriteLine($"note: the model folder was not written ({e.Message}); the experiment is complete, run `{Nas.CommandName} resume {ctx.Name}`{StoreHint(ctx.Store)} once the store is writable to write it");
            return null;
        }
    }

    internal static string SpaceSize(double n) => n < 1e9 ? n.ToString("N0", CultureInfo.InvariantCulture) : n.ToString("G3", CultureInfo.InvariantCulture);

    internal static string Limits(NasSettings s) =>
        (s.MaxFlops > 0 ? string.Create(CultureInfo.InvariantCulture, $", FLOPs <= {s.MaxFlops / 1e6:F2} M") : "")
        + (s.MaxParams > 0 ? string.Create(CultureInfo.InvariantCulture, $", params <= {s.MaxParams:N0}") : "");

    /// <summary>" --store DIR" for the hints a command prints, unless DIR is the default (./experiments with no $NAS_STORE).</summary>
    internal static string StoreHint(ExperimentStore store) =>
        Path.GetFullPath("experiments") == store.Root && Environment.GetEnvironmentVariable("NAS_STORE") is null ? ""
        : store.Root.Any(char.IsWhiteSpace) || store.Root.Contains('\'') ? $" --store \"{store.Root}\"" : $" --store {store.Root}";

    /// <summary>
    /// A settings error about a key that a --set override gave names that --set option rather than the config file
    /// (the later override wins, as in the composed text).
    /// </summary>
    internal static NasUserException BlameOverride(NasUserException e, string path, IEnumerable<string> overrides)
    {
        foreach (var o in overrides.Reverse())
        {
            var key = NasConfig.OverrideKey(o);
            var at = 0;
            while ((at = e.Message.IndexOf(key, at, StringComparison.Ordinal)) >= 0)
            {
                var before = at == 0 ? ' ' : e.Message[at - 1];
                var end = at + key.Length;
                var after = end < e.Message.Length ? e.Message[end] : ' ';
                if (!(char.IsLetterOrDigit(before) || before is '-' or '.') && !(char.IsLetterOrDigit(after) || after is '-' or '_'))
                    return new NasUserException(e.Message.Replace(path, "--set " + o, StringComparison.Ordinal));
                at = end;
            }
        }
        return e;
    }
}
