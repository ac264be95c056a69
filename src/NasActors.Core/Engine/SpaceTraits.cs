using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Engine;

/// <summary>What a search space offers strategies, so that a module can refuse a pair that cannot work before anything runs.</summary>
/// <param name="WeightSharing">A supernet whose single paths share weights (one-shot strategies train it).</param>
/// <param name="SmallChoices">Every choice has at most <see cref="MaxCategorical"/> values (a sequential policy samples each as one categorical decision).</param>
/// <param name="MixedOps">The supernet can run every edge as a mixed op weighted by architecture parameters (differentiable strategies: DARTS).</param>
public sealed record SpaceTraits(bool WeightSharing, bool SmallChoices, bool MixedOps = false)
{
    public const int MaxCategorical = 256;

    public static SpaceTraits Of(SearchSpace space, bool weightSharing) => new(weightSharing, space.Choices.All(c => c.Cardinality <= MaxCategorical));
}
