using System.Collections.Immutable;

namespace NasActors.Core.Engine;

/// <summary>
/// A registered strategy: its name and description (`nas registry`), its config section (nas.strategies.NAME, with
/// defaults and comments), how it reads and validates that section, which spaces it can search, what it needs of a
/// trainer backend, and its plan. Adding a strategy is one folder holding a subclass and its records, plus one line in
/// <see cref="Catalog"/>.
/// </summary>
public abstract class StrategyModule
{
    public abstract string Name { get; }

    /// <summary>One line for `nas registry`.</summary>
    public abstract string Description { get; }

    /// <summary>The body of nas.strategies.NAME { ... }: every key with its default and a comment.</summary>
    public abstract string ConfigSection { get; }

    /// <summary>Reads and validates the section; throws <see cref="NasUserException"/> naming the key and the file.</summary>
    public abstract object ReadSettings(ISettingsSource section, EngineSettings engine);

    /// <summary>Why this strategy cannot search <paramref name="space"/> (null when it can), said in one line.</summary>
    public virtual string? Incompatibility(SpaceModule space, SpaceTraits traits) =>
        traits.WeightSharing ? null : $"strategy {Name} trains shared weights, and space {space.Name} is not a weight-sharing supernet";

    /// <summary>What a trainer backend must offer beyond weight-sharing training and scoring (e.g. a controller policy's spec).</summary>
    public virtual ImmutableArray<object> BackendNeeds(object settings) => [];

    public abstract IPlan CreatePlan(PlanContext context);
}
