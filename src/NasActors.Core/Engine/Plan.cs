using System.Collections.Immutable;

namespace NasActors.Core.Engine;

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
