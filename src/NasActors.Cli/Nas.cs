using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Runtime.Hosting;

namespace NasActors.Cli;

/// <summary>
/// NasActors as a library: what the `nas` command does, callable from a program that defines its own spaces (NNI's
/// way: the model is in the user's code). Exit codes as the command's: 0 done, 2 bad input (one line on stderr), 1 internal.
/// </summary>
public static class Nas
{
    /// <summary>
    /// How the printed hints name the command: "nas", or for a program that uses NasActors as a library
    /// "dotnet PROGRAM.dll" (its spaces are registered only there, so its experiments are resumed and exported through it).
    /// </summary>
    public static string CommandName { get; set; } = System.Reflection.Assembly.GetEntryAssembly() is { } entry && entry.GetName().Name != "nas"
        ? "dotnet " + Path.GetFileName(entry.Location)
        : "nas";

    /// <summary>Makes spaces (and strategies) defined in code selectable by name, as a plugin's would be.</summary>
    public static void Register(IEnumerable<SpaceModule> spaces, IEnumerable<StrategyModule>? strategies = null) =>
        Catalog.Register(spaces, strategies ?? []);

    /// <summary>Runs a `nas` command line, e.g. ["search", "--config", "my.conf", "--name", "x"].</summary>
    public static async Task<int> Run(params string[] args)
    {
        try
        {
            var parsed = CliArgs.Parse(args, CommandName);
            // Verbs that may run libtorch (training, scoring, building a plugin's space); loading it costs ~0.7 s, so
            // status, export, report, draw and help go without.
            if (parsed.Verb is "search" or "resume" or "train" or "eval-arch" or "rank-check" or "evaluate" or "predict" or "node" or "registry" or "random-sample" or "gen-config")
                Torch.NativeTorch.Configure();
            return await Commands.Run(parsed);
        }
        catch (NasUserException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 2;
        }
        catch (ExperimentFailedException e) when (e.UserError)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 2;
        }
        catch (Exception e)
        {
            var message = e.GetBaseException().Message;
            if (Environment.GetEnvironmentVariable("NAS_DEBUG") == "1")
            {
                Console.Error.WriteLine("internal error: " + message);
                Console.Error.WriteLine(e);
            }
            else
            {
                // libtorch's messages carry its native stack frames after the first line.
                var first = message.Split('\n', 2)[0].TrimEnd();
                Console.Error.WriteLine("internal error: " + first);
                Console.Error.WriteLine(first.Length < message.TrimEnd().Length
                    ? "(set NAS_DEBUG=1 for the full message and the stack trace)" : "(set NAS_DEBUG=1 for the stack trace)");
            }
            return 1;
        }
    }

    /// <summary>
    /// Searches with <paramref name="configFile"/> under <paramref name="name"/>, or resumes that experiment when the
    /// store already has it (after a kill -9 too): the same result either way.
    /// </summary>
    public static Task<int> SearchOrResume(string name, string configFile, string store = "experiments") =>
        Directory.Exists(Path.Combine(store, name))
            ? Run("resume", name, "--store", store)
            : Run("search", "--config", configFile, "--name", name, "--store", store);
}
