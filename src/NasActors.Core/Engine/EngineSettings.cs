using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.Strategies;

namespace NasActors.Core.Engine;

/// <summary>The settings every strategy may read besides its own section (from nas.experiment, nas.train, nas.search, ...).</summary>
/// <param name="MaxFlops">nas.search.max-flops; 0 = no limit.</param>
/// <param name="MaxParams">nas.search.max-params; 0 = no limit.</param>
/// <param name="ValidationSize">Images in the validation split (nas.data.validation-size).</param>
public sealed record EngineSettings(long Seed, OneShotSettings OneShot, long MaxFlops, long MaxParams, int ValidationSize)
{
    public bool HasLimits => MaxFlops > 0 || MaxParams > 0;

    /// <summary>
    /// For a strategy that does not filter candidates by cost (it derives or samples its result): FLOPs/params limits
    /// would silently not apply, so they are refused; <paramref name="why"/> says what the strategy does instead.
    /// </summary>
    public void RefuseLimits(string source, string why)
    {
        if (HasLimits) throw new NasUserException($"nas.search.max-flops / max-params in {source} apply to population strategies only; {why}: set them to 0");
    }

    public Constraints Constraints(ICostModel? costs) =>
        costs is null ? Strategies.Constraints.None : new(costs, MaxFlops > 0 ? MaxFlops : null, MaxParams > 0 ? MaxParams : null);
}
