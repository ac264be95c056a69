using Akka.Actor;
using Akka.Event;

namespace NasActors.Runtime.Hosting;

/// <summary>
/// Akka's log lines for a single-process run, on stderr: stdout carries the progress and the result (a user pipes it),
/// and Akka's default logger would interleave its warnings with them.
/// </summary>
internal sealed class StderrLogger : ReceiveActor
{
    public StderrLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => Console.Error.WriteLine($"[{e.LogLevel().ToString().Replace("Level", "").ToUpperInvariant()}] {e.LogSource}: {e.Message}"));
    }
}
