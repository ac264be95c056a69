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

/// <summary>Typed base of a plan: the casts to and from the scheduler's untyped state live here once.</summary>
public abstract class Plan<TState> : IPlan where TState : class
{
    public abstract string Strategy { get; }
    public abstract TState Initial { get; }
    public abstract PlanStep Next(TState state);
    public abstract ImmutableArray<PlanEvent> OnResult(TState state, WorkResult result);
    public abstract TState Apply(TState state, PlanEvent e);
    public virtual ImmutableArray<string> Released(TState before, PlanEvent e) => [];
    public abstract PlanStatus Status(TState state);

    /// <summary>Replay: the state after applying <paramref name="events"/> in order to <see cref="Initial"/>.</summary>
    public TState Replay(IEnumerable<PlanEvent> events) => events.Aggregate(Initial, Apply);

    object IPlan.Initial => Initial;
    PlanStep IPlan.Next(object state) => Next((TState)state);
    ImmutableArray<PlanEvent> IPlan.OnResult(object state, WorkResult result) => OnResult((TState)state, result);
    object IPlan.Apply(object state, PlanEvent e) => Apply((TState)state, e);
    ImmutableArray<string> IPlan.Released(object before, PlanEvent e) => Released((TState)before, e);
    PlanStatus IPlan.Status(object state) => Status((TState)state);
}
