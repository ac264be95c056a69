using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Strategies;

/// <summary>FLOPs / parameter limits checked when sampling, so over-budget architectures are never proposed.</summary>
public sealed record Constraints(ICostModel? Costs, long? MaxFlops, long? MaxParams)
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
        // The cheapest architecture fitting is not enough: sampling must find admissible ones. Count them exactly in
        // small spaces, estimate with a fixed-seed sample in large ones (deterministic either way).
        // A measured model costs a forward pass per new architecture: look at fewer of them.
        var (all, sample) = Costs.Cheap ? (250_000, 20_000) : (4096, 512);
        var (admitted, examined) = space.Size <= all ? CountAll(space) : CountSample(space, sample);
        var minFraction = space.Size <= all ? 0 : 1.0 / 5000;
        if ((double)admitted / examined <= minFraction)
            throw new NasUserException($"only {admitted} of {examined} architectures meet nas.search.max-flops / max-params, too few to search; raise the limits or set them to 0 (no limit)");
    }

    private (int Admitted, int Examined) CountSample(SearchSpace space, int n)
    {
        var rng = Randomness.Xoshiro256.FromSeed(0x5eed);
        var admitted = 0;
        for (var i = 0; i < n; i++) if (Admits(space.Sample(rng))) admitted++;
        return (admitted, n);
    }

    private (int Admitted, int Examined) CountAll(SearchSpace space)
    {
        int admitted = 0, examined = 0;
        foreach (var a in space.Enumerate())
        {
            examined++;
            if (Admits(a)) admitted++;
        }
        return (admitted, examined);
    }
}
