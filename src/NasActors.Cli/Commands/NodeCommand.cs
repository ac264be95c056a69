using NasActors.Core;
using NasActors.Runtime.Cluster;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Hosting;

namespace NasActors.Cli;

/// <summary>`nas node`: run one cluster node (controller and/or trainer) until it is stopped or leaves the cluster.</summary>
internal static class NodeCommand
{
    public static async Task<int> Run(CliArgs a)
    {
        if (a.Positional.Length > 0) throw new NasUserException($"`nas node` takes no positional arguments (got '{a.Positional[0]}')");
        var overrides = new List<string>();
        if (a.Option("--role") is { } role) overrides.Add(ListOverride("cluster.roles", role, "--role"));
        if (a.Option("--seeds") is { } seeds) overrides.Add(ListOverride("cluster.seeds", seeds, "--seeds"));
        if (a.Option("--devices") is { } devices) overrides.Add(ListOverride("cluster.devices", devices, "--devices"));
        if (a.Option("--host") is { } host) overrides.Add($"cluster.hostname = {Quote(host)}");
        if (a.Option("--port") is { } port) overrides.Add($"cluster.port = {Quote(port)}");
        if (a.Option("--journal") is { } journal) overrides.Add($"cluster.journal = {Quote(journal)}");
        if (a.Flag("--allow-insecure")) overrides.Add("cluster.allow-insecure = on");
        var settings = Settings(a.Option("--config"), overrides.Concat(a.All("--set")));
        var store = new ExperimentStore(a.Store) { PostgresConnectionString = settings.PostgresConnectionString };
        if (settings.IsController && settings.Journal == "postgres") ClusterJournal.CheckPostgres(settings.PostgresConnectionString);

        await using var node = ClusterNode.Start(settings, store, settings.IsController ? new CliExperimentBuilder(store) : null,
            settings.IsTrainer ? (name, text) => ExperimentContext.CreateFactory(store.CheckpointDirectory(name), ExperimentSettings(text, name)) : null);
        var address = Akka.Cluster.Cluster.Get(node.System).SelfAddress;
        Console.WriteLine($"node {address} roles [{string.Join(", ", settings.Roles)}]" +
                          (settings.IsTrainer ? $" devices [{string.Join(", ", settings.Devices)}]" : "") +
                          (settings.IsController ? $" journal {settings.Journal}" : "") + $" store {store.Root}; seeds [{string.Join(", ", settings.Seeds)}]");
        var stop = new TaskCompletionSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        Console.CancelKeyPress += onCancel;
        // SIGTERM (kill, run-cluster.sh at the end) is a request to leave: singletons hand over, exit code 0.
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.TrySetResult();
        });
        try
        {
            var ended = await Task.WhenAny(node.System.WhenTerminated, stop.Task);
            if (ended == stop.Task)
            {
                Console.WriteLine("leaving the cluster...");
                return 0;
            }
            // Terminated without being asked: this node was downed (e.g. on the minority side of a partition).
            Console.Error.WriteLine("error: this node was removed from the cluster (downed or shut down); start it again to rejoin");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Node settings: reference defaults, then the file, then command-line overrides.</summary>
    public static ClusterSettings Settings(string? file, IEnumerable<string> overrides)
    {
        if (file is not null && !File.Exists(file)) throw new NasUserException($"node config {file} not found; see cluster/ for examples");
        var source = file ?? "the command line";
        var text = NasConfig.ComposeText(file is null ? null : ConfigFiles.Read(file), overrides);
        return ClusterSettings.Create(NasConfig.Parse(text, source), source);
    }

    public static NasSettings ExperimentSettings(string text, string name) =>
        NasSettings.Create(NasConfig.Parse(text, $"the config of experiment '{name}'"), $"the config of experiment '{name}'");

    /// <summary>A HOCON line setting <paramref name="key"/> to the comma-separated <paramref name="value"/> of <paramref name="option"/>.</summary>
    public static string ListOverride(string key, string value, string option) =>
        $"{key} = [{string.Join(", ", Split(value, option).Select(Quote))}]";

    private static IEnumerable<string> Split(string value, string option)
    {
        var parts = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new NasUserException($"{option} is empty");
        return parts;
    }

    private static string Quote(string v) => "\"" + v.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
