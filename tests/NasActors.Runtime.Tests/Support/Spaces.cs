using System.Collections.Immutable;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;

namespace NasActors.Runtime.Tests.Support;

/// <summary>Small search spaces for actor tests.</summary>
public static class Spaces
{
    /// <summary>Four layer choices of three candidates: 81 architectures.</summary>
    public static SearchSpace Tiny() => SearchSpace.Create("tiny",
        Enumerable.Range(0, 4).Select(i => Choice.Layer($"block{i}", "a", "b", "c")));

    /// <summary>Another space (a fourth candidate per choice): another hash.</summary>
    public static SearchSpace Other() => SearchSpace.Create("other",
        Enumerable.Range(0, 4).Select(i => Choice.Layer($"block{i}", "a", "b", "c", "d")));

    public static CostTable CostsOf(SearchSpace space) => new(new ArchitectureCost(100, 10),
        space.Choices.SelectMany((c, i) => c.Candidates.Select((v, j) =>
                KeyValuePair.Create(CostTable.EntryKey(c.Key, v), new ArchitectureCost(10 * (i + 1) * (j + 1), j + 1))))
            .ToImmutableDictionary());

    public static Architecture Arch(params string[] values) =>
        new(values.Select((v, i) => KeyValuePair.Create($"block{i}", v)));
}
