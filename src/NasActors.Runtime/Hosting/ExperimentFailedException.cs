namespace NasActors.Runtime.Hosting;

/// <summary>The experiment stopped on an error; <see cref="UserError"/> ones are printed as one line with exit code 2.</summary>
public sealed class ExperimentFailedException(string message, bool userError) : Exception(message)
{
    public bool UserError { get; } = userError;
}
