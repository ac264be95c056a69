namespace NasActors.Cli;

/// <summary>Dispatches a parsed command line to its command.</summary>
internal static class Commands
{
    public const string Usage = """
        nas — neural architecture search on Akka.NET and TorchSharp

        usage:
          nas                                   run the default SPOS search (hocon/spos-fashion.conf)
          nas search [--config FILE] [--name NAME] [--store DIR] [--set key=value ...]
          nas resume NAME [--store DIR]         continue an interrupted experiment from its journal
          nas status [NAME] [--store DIR]       list experiments, or one experiment's phase, progress and best
          nas export NAME [--store DIR] [--top K] [--out FILE]
                                                top K architectures as NNI-style JSON with their metrics

        The store defaults to ./experiments (or $NAS_STORE). Exit codes: 0 done, 2 user error, 1 internal failure.
        """;

    public static Task<int> Run(CliArgs a) => a.Verb switch
    {
        "search" => SearchCommand.Search(a),
        "resume" => SearchCommand.Resume(a),
        "status" => StatusCommand.Run(a),
        "export" => ExportCommand.Run(a),
        _ => Help(),
    };

    private static Task<int> Help()
    {
        Console.WriteLine(Usage);
        return Task.FromResult(0);
    }
}
