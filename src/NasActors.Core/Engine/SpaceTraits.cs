using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Engine;

/// <summary>What a search space offers strategies, so that a module can refuse a pair that cannot work before anything runs.</summary>
/// <param name="WeightSharing">A supernet whose single paths share weights (one-shot strategies train it).</param>
/// <param name="SingleChoices">Every choice chooses exactly one candidate (a sequential policy can sample it).</param>
public sealed record SpaceTraits(bool WeightSharing, bool SingleChoices)
{
    public static SpaceTraits Of(SearchSpace space, bool weightSharing) => new(weightSharing, space.Choices.All(c => c.NChosen == 1));
}
