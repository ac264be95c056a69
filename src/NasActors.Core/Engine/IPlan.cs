using System.Collections.Immutable;

namespace NasActors.Core.Engine;

/// <summary>
/// A strategy's whole algorithm as a pure state machine: no I/O, no clocks, every random draw from state it owns. The
/// experiment actor is a generic scheduler around it: it journals the events, folds them with <see cref="Apply"/>,
/// hands out the work <see cref="Next"/> asks for and feeds results to <see cref="OnResult"/>. Replaying the journal
/// through <see cref="Apply"/> rebuilds the state exactly, so a resumed search continues as if never stopped.
/// </summary>
public interface IPlan
{
    /// <summary>The registered strategy name ("spos-evolution").</summary>
    string Strategy { get; }

    object Initial { get; }

    PlanStep Next(object state);

    /// <summary>Events that record a result; empty for a late, unknown or duplicate one (it is acknowledged and dropped).</summary>
    ImmutableArray<PlanEvent> OnResult(object state, WorkResult result);

    object Apply(object state, PlanEvent e);

    /// <summary>Checkpoints that no future work needs once <paramref name="e"/> (applied to <paramref name="before"/>) is journaled.</summary>
    ImmutableArray<string> Released(object before, PlanEvent e);

    PlanStatus Status(object state);
}
