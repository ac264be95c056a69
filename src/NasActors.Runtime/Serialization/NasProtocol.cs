namespace NasActors.Runtime.Serialization;

/// <summary>
/// The version of the messages nodes exchange. Bump it when a message's meaning changes incompatibly: a trainer with
/// another version is refused at registration and never receives work.
/// </summary>
public static class NasProtocol
{
    public const int Version = 2; // 2: one engine (work items and results by manifest)

    /// <summary>
    /// This process's version: <see cref="Version"/>, or NAS_PROTOCOL_VERSION when set. The override exists only so the
    /// refusal of a mismatched node can be tested with real processes.
    /// </summary>
    public static int Current { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("NAS_PROTOCOL_VERSION"), out var v) ? v : Version;
}
