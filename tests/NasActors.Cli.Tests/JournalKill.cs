using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace NasActors.Cli.Tests;

/// <summary>Kill tests choose their moment from the journal (what is persisted), never from console text.</summary>
internal static class JournalKill
{
    public static readonly TimeSpan Long = TimeSpan.FromMinutes(4);

    public static int Count(List<(string Pid, string Manifest, string Payload)> events, string manifest) => events.Count(e => e.Manifest == manifest);

    public static List<(string Pid, string Manifest, string Payload)> TryEvents(string db)
    {
        try { return File.Exists(db) ? JournalReader.Events(db) : []; }
        catch (SqliteException) { return []; } // mid-creation
    }

    /// <summary>Runs nas until the journal satisfies <paramref name="when"/>, then kill -9; returns the journal as the kill left it.</summary>
    public static List<(string Pid, string Manifest, string Payload)> When(string db, Func<List<(string Pid, string Manifest, string Payload)>, bool> when, params string[] args)
    {
        using var p = new CliProcess(args);
        var sw = Stopwatch.StartNew();
        while (!when(TryEvents(db)))
        {
            Assert.True(sw.Elapsed < Long, "the journal never reached the kill point:\n" + p.Stdout + p.Stderr);
            Thread.Sleep(10);
        }
        Assert.True(p.Kill9(), "the process had already exited: the kill did not interrupt it\n" + p.Stdout);
        return JournalReader.Events(db);
    }
}
