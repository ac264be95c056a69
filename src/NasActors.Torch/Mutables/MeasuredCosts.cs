using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;

namespace NasActors.Torch.Mutables;

/// <summary>
/// The cost model of a space whose costs do not add up per choice (a value choice that widens the layers after it):
/// each architecture is measured by a dry forward of its own model copy, once, then cached. Thread-safe.
/// </summary>
internal sealed class MeasuredCosts(ModelSpace model) : ICostModel
{
    private readonly Dictionary<string, ArchitectureCost> _cache = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public bool Cheap => false;

    public ArchitectureCost Cost(Architecture arch)
    {
        lock (_lock)
        {
            if (_cache.TryGetValue(arch.CanonicalKey, out var c)) return c;
            return _cache[arch.CanonicalKey] = model.Measure(arch);
        }
    }

    /// <summary>Exact for spaces of up to 4096 architectures; larger ones report zero (no early refusal: sampling finds an impossible limit).</summary>
    public ArchitectureCost Minimum(SearchSpace space)
    {
        if (space.Size > 4096) return new ArchitectureCost(0, 0);
        long flops = long.MaxValue, parameters = long.MaxValue;
        foreach (var a in space.Enumerate())
        {
            var c = Cost(a);
            flops = Math.Min(flops, c.Flops);
            parameters = Math.Min(parameters, c.Params);
        }
        return new ArchitectureCost(flops, parameters);
    }
}
