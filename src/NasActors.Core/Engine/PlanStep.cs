using System.Collections.Immutable;

namespace NasActors.Core.Engine;

/// <summary>What a plan wants next, decided from its state alone (<see cref="IPlan.Next"/>).</summary>
public abstract record PlanStep
{
    /// <summary>Decisions that need no trainer (a new generation, a finished round): journal them, apply them, ask again.</summary>
    public sealed record Emit(ImmutableArray<PlanEvent> Events) : PlanStep;

    /// <summary>This work must be done (queued or in flight) now; the plan waits for results.</summary>
    public sealed record Run(ImmutableArray<WorkItem> Work) : PlanStep;

    /// <summary>The search is over; the state holds its result.</summary>
    public sealed record Finish : PlanStep
    {
        public static readonly Finish Instance = new();
    }

    /// <summary>The search cannot go on (e.g. no architecture meets the limits).</summary>
    public sealed record Fail(string Reason, bool UserError) : PlanStep;

    public static Emit Record(params PlanEvent[] events) => new([.. events]);

    public static Run Do(IEnumerable<WorkItem> work) => new([.. work]);
}
