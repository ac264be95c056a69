using NasActors.Core;

namespace NasActors.Cli;

/// <summary>
/// `nas train ARCH.json [--config FILE] [--name NAME] [--store DIR] [--set k=v ...]`: trains one architecture from
/// scratch as an experiment of the train-only plan (journaled: `nas resume`, `nas status` work, a kill resumes exactly).
/// The argument handling is here; what it composes is <see cref="TrainSetup"/>'s.
/// </summary>
internal static class TrainCommand
{
    public static async Task<int> Run(CliArgs a)
    {
        if (a.Positional.Length != 1)
            throw new NasUserException("`nas train` takes one architecture file, e.g. `nas train arch.json --config hocon/darts-train-fashion.conf` (an NNI dict, a list of one, or a `nas export` file)");
        var config = a.Option("--config");
        if (config is not null && !File.Exists(config))
            throw new NasUserException($"config file {config} not found; pass an existing file with --config (see hocon/), or none for the defaults");
        var source = config ?? "the default config (reference.conf)";
        return await SearchCommand.Start(a, source, TrainSetup.Compose(a.Positional[0], config, a.All("--set"), source));
    }
}
