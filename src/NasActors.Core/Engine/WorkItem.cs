namespace NasActors.Core.Engine;

/// <summary>
/// One unit of trainer work that a plan asks for. A pure function of its fields and the trainer's capabilities, so a
/// lost item is simply redone, by any trainer, with the same result. Strategies bring their own kinds: a kind is a
/// sealed record deriving from this, with a <see cref="ManifestAttribute"/>, that says how it runs.
/// </summary>
public abstract record WorkItem
{
    /// <summary>Identity of the work: its result carries it back, and a duplicate shares it.</summary>
    public abstract string Key { get; }

    /// <summary>Runs the work on a trainer's thread, asking the backend for the capabilities it needs.</summary>
    public abstract WorkResult Execute(WorkContext context);
}
