using System.Collections.Immutable;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Experiments;

/// <summary>
/// An additive cost model: fixed base cost plus one entry per (choice key, candidate). Exact for supernets whose
/// choice blocks have fixed input/output shapes (SPOS), which is why SPOS's own code uses a FLOPs lookup table.
/// The Torch layer fills it by counting the real modules; the strategies only read it.
/// </summary>
public sealed record CostTable(ArchitectureCost Base, ImmutableDictionary<string, ArchitectureCost> Entries) : ICostModel
{
    public bool Cheap => true;

    public static string EntryKey(string choiceKey, string candidate) => choiceKey + "=" + candidate;

    public ArchitectureCost Cost(Architecture arch)
    {
        long flops = Base.Flops, parameters = Base.Params;
        foreach (var (k, v) in arch.Choices)
        {
            if (!Entries.TryGetValue(EntryKey(k, v), out var e))
                throw new SearchSpaceException($"cost table has no entry for {k}={v}; it was built for a different search space");
            flops += e.Flops;
            parameters += e.Params;
        }
        return new ArchitectureCost(flops, parameters);
    }

    /// <summary>Cheapest possible architecture: used to reject a limit no architecture can meet.</summary>
    public ArchitectureCost Minimum(SearchSpace space)
    {
        long flops = Base.Flops, parameters = Base.Params;
        foreach (var c in space.Choices)
        {
            // Entries are keyed by the whole value ("k=0,2" for input choices), so take every entry of this choice.
            var prefix = c.Key + "=";
            var mine = Entries.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(e => e.Value).ToList();
            if (mine.Count == 0)
                throw new SearchSpaceException($"cost table has no entry for choice '{c.Key}'; it was built for a different search space");
            flops += mine.Min(e => e.Flops);
            parameters += mine.Min(e => e.Params);
        }
        return new ArchitectureCost(flops, parameters);
    }
}
