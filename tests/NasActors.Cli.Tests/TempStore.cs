namespace NasActors.Cli.Tests;

/// <summary>A fresh experiment store directory, deleted afterwards.</summary>
internal sealed class TempStore : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("nas-cli-test-").FullName;

    public string[] Entries() => Directory.Exists(Path) ? Directory.GetFileSystemEntries(Path) : [];

    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { }
    }
}
