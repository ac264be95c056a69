using NasActors.Cli;
using NasActors.Core;
using NasActors.Runtime.Hosting;

// Exit codes: 0 done, 2 user error (one line), 1 internal failure.
try
{
    var args_ = CliArgs.Parse(args);
    return await Commands.Run(args_);
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
    Console.Error.WriteLine("internal error: " + e.GetBaseException().Message);
    if (Environment.GetEnvironmentVariable("NAS_DEBUG") == "1") Console.Error.WriteLine(e);
    else Console.Error.WriteLine("(set NAS_DEBUG=1 for the stack trace)");
    return 1;
}
