using System.Collections.Immutable;

namespace NasActors.Core.Engine;

/// <summary>A strategy module with typed settings.</summary>
public abstract class StrategyModule<TSettings> : StrategyModule where TSettings : class
{
    public abstract TSettings Read(ISettingsSource section, EngineSettings engine);
    public virtual ImmutableArray<object> Needs(TSettings settings) => [];
    public abstract IPlan CreatePlan(PlanContext context, TSettings settings);

    public sealed override object ReadSettings(ISettingsSource section, EngineSettings engine) => Read(section, engine);
    public sealed override ImmutableArray<object> BackendNeeds(object settings) => Needs((TSettings)settings);
    public sealed override IPlan CreatePlan(PlanContext context) => CreatePlan(context, (TSettings)context.Settings);
}
