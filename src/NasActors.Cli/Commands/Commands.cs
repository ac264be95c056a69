namespace NasActors.Cli;

/// <summary>Dispatches a parsed command line to its command.</summary>
internal static class Commands
{
    public const string Usage = """
        nas — neural architecture search on Akka.NET and TorchSharp

        usage:
          nas                                   run the default job (SPOS evolution, then the best retrained and saved; hocon/spos-fashion.conf)
          nas search [--config FILE] [--name NAME] [--store DIR] [--set key=value ...] [--quiet]
                                                another pair: nas gen-config --space S --strategy T --out my.conf, then --config my.conf
          nas train ARCH.json [--config FILE] [--name NAME] [--store DIR] [--set key=value ...] [--quiet]
                                                train an architecture (NNI dict, a list of one, or `nas export` file) from scratch as an
                                                experiment (nas.retrain settings; resumable); test accuracy, size, weights
                                                (a live view on a terminal, plain lines when redirected; --quiet: only the result;
                                                TensorBoard event files in STORE/NAME/tb/)
          nas resume NAME [--store DIR] [--quiet]
                                                continue an interrupted experiment from its journal
          nas status [NAME] [--store DIR] [--lineage]
                                                list experiments, or one experiment's phase, progress and best
                                                (--lineage: where the best architecture came from)
          nas export NAME [--store DIR] [--top K] [--out FILE]
                                                top K architectures as NNI-style JSON with their metrics
          nas report NAME [--store DIR] [--out FILE]
                                                the experiment as one self-contained HTML page (plots, lineage, diagram)
          nas registry [--config FILE]          list every registered space, strategy and dataset (and FILE's plugins)
          nas gen-config --space S --strategy T [--out FILE]
                                                a complete, commented config for one space/strategy pair
          nas random-sample --space S -n K [--config FILE] [--seed N] [--out FILE]
                                                K distinct random architectures of space S as NNI dicts (JSON list)
          nas eval-arch NAME ARCHS.json [--split validation|test] [--store DIR] [--out FILE]
                                                score given architectures (NNI dicts, a list, or an export) with NAME's shared weights
          nas derive NAME [-n K] [--seed S] [--split validation|test] [--store DIR] [--out FILE]
                                                K architectures from NAME's strategy as it stands (population's best, policy
                                                samples, DARTS cell and samples of its weights), scored with the shared weights
          nas rank-check NAME [-n K] [--epochs E] [--seed S] [--store DIR] [--out FILE]
                                                does NAME's supernet rank architectures as training them does? K random
                                                architectures: shared-weight score vs E epochs alone; Kendall tau, Spearman rho
          nas evaluate MODEL [--data test|validation]
                                                a saved model's (STORE/NAME/model) accuracy and confusion matrix
          nas predict MODEL IMAGES.idx[.gz]|DIR [--top K]
                                                the K most probable classes of each image (IDX file or folder of PNGs)
          nas draw ARCH.json [--out DIR]        a DARTS architecture's normal and reduction cells as DOT, SVG and PNG
          nas node --role controller|trainer[,..] --seeds HOST:PORT,.. [--host H] [--port P] [--devices cpu,cuda:0]
                   [--store DIR] [--journal sqlite|postgres] [--config FILE] [--set cluster.key=value] [--allow-insecure]
                                                run one cluster node (see cluster/README.md)
          nas search --cluster --seeds HOST:PORT,.. [--config FILE] [--name NAME] [--store DIR] [--node-config FILE]
                                                submit an experiment to a running cluster and follow it

        The store defaults to ./experiments (or $NAS_STORE). Exit codes: 0 done, 2 user error, 1 internal failure.
        """;

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
        _ => Help(),
    };

    private static Task<int> Help()
    {
        Console.WriteLine(Usage);
        return Task.FromResult(0);
    }
}
