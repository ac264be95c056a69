using System.Collections.Immutable;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Engine;

/// <summary>
/// A plan that can name candidate architectures from any state it reaches, finished or interrupted (aw_nas's
/// <c>derive</c>): what its strategy believes in now — the population's best, samples of the controller's policy, the
/// cell the architecture weights derive and samples of them. `nas derive` scores them with the shared weights. Optional:
/// a strategy without it is refused by name.
/// </summary>
public interface IDerivingPlan
{
    /// <summary>
    /// Up to <paramref name="count"/> distinct architectures, the strategy's first choice first. Every draw comes from
    /// <paramref name="rng"/>; <paramref name="context"/> is for state held in checkpoints (a policy). Throws
    /// <see cref="NasUserException"/> when the state has nothing to derive from yet.
    /// </summary>
    ImmutableArray<Architecture> Derive(object state, int count, Xoshiro256 rng, WorkContext context);
}
