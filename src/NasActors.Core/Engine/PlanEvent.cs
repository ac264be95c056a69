namespace NasActors.Core.Engine;

/// <summary>
/// Something a plan decided or learned, journaled before it takes effect and folded into the plan's state with
/// <see cref="IPlan.Apply"/>, live and on replay alike. Each kind carries a <see cref="ManifestAttribute"/>.
/// </summary>
public abstract record PlanEvent;
