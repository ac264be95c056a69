namespace NasActors.Runtime.Hosting;

/// <summary>
/// What an experiment's SQLite journal says about its identity, read without replaying it: whether the file exists,
/// the fingerprint of its first event, its last sequence number, and the experiments whose events it holds instead.
/// </summary>
/// <param name="Exists">journal.db is there</param>
/// <param name="FirstEvent">fingerprint of event 1 (persistence id, writer id, payload), null if none</param>
/// <param name="LastSequence">highest sequence number of this experiment's events, 0 if none</param>
/// <param name="OtherExperiments">names of other format-2 experiments with events in this file</param>
internal sealed record JournalFacts(bool Exists, string? FirstEvent, long LastSequence, IReadOnlyList<string> OtherExperiments);
