using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Strategies;

/// <summary>FLOPs / parameter limits checked when sampling, so over-budget architectures are never proposed.</summary>
public sealed record Constraints(CostTable? Costs, long? MaxFlops, long? MaxParams)
{
    public static readonly Constraints None = new(null, null, null);

    public bool Admits(Architecture arch)
    {
        if (Costs is null || (MaxFlops is null && MaxParams is null)) return true;
        var c = Costs.Cost(arch);
        return (MaxFlops is null || c.Flops <= MaxFlops) && (MaxParams is null || c.Params <= MaxParams);
    }

    /// <summary>Throws a clear error when no architecture of <paramref name="space"/> can meet the limits.</summary>
    public void CheckSatisfiable(SearchSpace space)
    {
        if (Costs is null || (MaxFlops is null && MaxParams is null)) return;
        var min = Costs.Minimum(space);
        if (MaxFlops is { } f && min.Flops > f)
            throw new NasUserException($"nas.search.max-flops = {f} is below the cheapest architecture's {min.Flops} FLOPs; raise it or set it to 0 (no limit)");
        if (MaxParams is { } p && min.Params > p)
            throw new NasUserException($"nas.search.max-params = {p} is below the smallest architecture's {min.Params} parameters; raise it or set it to 0 (no limit)");
    }
}
