using NasActors.Runtime.Configuration;

namespace NasActors.Cli;

/// <summary>
/// Reads every user config file (experiment configs, `nas node --config`, `--node-config`) with its HOCON includes
/// expanded; a plain include of a missing file is ignored, as HOCON specifies, with one warning line on stderr.
/// </summary>
internal static class ConfigFiles
{
    public static string Read(string path) => HoconIncludes.ReadFile(path, w => Console.Error.WriteLine("warning: " + w));
}
