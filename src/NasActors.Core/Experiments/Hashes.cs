namespace NasActors.Core.Experiments;

/// <summary>Display helpers for content hashes (checkpoints, search spaces, settings fingerprints).</summary>
public static class Hashes
{
    /// <summary>The first 12 characters, as logs and progress lines show a hash (shorter names as they are).</summary>
    public static string Short(string hash) => hash.Length <= 12 ? hash : hash[..12];
}
