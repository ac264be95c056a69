namespace NasActors.Core;

/// <summary>
/// A user-facing error: bad config, bad search space, missing data, corrupt checkpoint.
/// The CLI prints <see cref="Exception.Message"/> as one line and exits with code 2.
/// Messages name the problem and the fix.
/// </summary>
public class NasUserException : Exception
{
    public NasUserException(string message) : base(message) { }
    public NasUserException(string message, Exception inner) : base(message, inner) { }
}
