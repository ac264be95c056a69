namespace NasActors.Cli;

/// <summary>Dispatches a parsed command line to its command.</summary>
internal static class Commands
{
    public static Task<int> Run(CliArgs a) => a.Verb switch
    {
        "search" => SearchCommand.Search(a),
        "train" => TrainCommand.Run(a),
        "resume" => SearchCommand.Resume(a),
        "status" => StatusCommand.Run(a),
        "export" => ExportCommand.Run(a),
        "report" => ReportCommand.Run(a),
        "random-sample" => RandomSampleCommand.Run(a),
        "eval-arch" => EvalArchCommand.Run(a),
        "derive" => DeriveCommand.Run(a),
        "node" => NodeCommand.Run(a),
        "registry" => RegistryCommand.Run(a),
        "gen-config" => GenConfigCommand.Run(a),
        "draw" => DrawCommand.Run(a),
        "evaluate" => EvaluateCommand.Run(a),
        "rank-check" => RankCheckCommand.Run(a),
        "predict" => PredictCommand.Run(a),
        "help" => Task.FromResult(Help(a)),
        _ => Task.FromResult(a.Builtin?.Invoke() ?? 0),
    };

    /// <summary>`nas help [COMMAND]`: the library's help, as `nas [COMMAND] --help` prints it.</summary>
    private static int Help(CliArgs a)
    {
        if (a.Positional.Length > 1) throw new Core.NasUserException($"`nas help` takes at most one command; got: {string.Join(" ", a.Positional)}");
        return CliArgs.Parse([.. a.Positional, "--help"], Nas.CommandName).Builtin?.Invoke() ?? 0;
    }
}
