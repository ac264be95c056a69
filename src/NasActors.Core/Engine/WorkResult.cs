namespace NasActors.Core.Engine;

/// <summary>What a <see cref="WorkItem"/> produced, keyed by the work's key so a late or duplicate result is recognised.</summary>
public abstract record WorkResult(string Key);
