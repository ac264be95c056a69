using NasActors.Core.Training;

namespace NasActors.Runtime.Hosting;

/// <summary>Removes released `&lt;hash&gt;.ckpt` files from an experiment's checkpoint directory (best effort).</summary>
internal sealed class CheckpointJanitor(string directory) : ICheckpointJanitor
{
    public void Release(IReadOnlyCollection<string> checkpoints)
    {
        foreach (var hash in checkpoints)
        {
            // Only names that look like our content hashes: a journal must never make us delete anything else.
            if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower)) continue;
            try { File.Delete(Path.Combine(directory, hash + ".ckpt")); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
