namespace NasActors.Cli.Tests.Observability;

/// <summary>
/// One finished smoke search (hocon/smoke.conf, ~30 s) shared by the observability tests: real-process runs are
/// expensive, and TensorBoard files, the report and lineage are all read from the same experiment.
/// </summary>
public sealed class SmokeRun : IDisposable
{
    internal const string Name = "observed";
    private readonly TempStore _store = new();

    public string Store => _store.Path;
    public string Stdout { get; }
    public string Directory => System.IO.Path.Combine(Store, Name);

    public SmokeRun()
    {
        var (code, stdout, stderr) = CliProcess.Run(JournalKill.Long, "search", "--config", "hocon/smoke.conf", "--name", Name, "--store", Store);
        if (code != 0) throw new InvalidOperationException($"the smoke search failed ({code}):\n{stdout}\n{stderr}");
        Stdout = stdout;
    }

    public void Dispose() => _store.Dispose();
}
