using System.Collections.Immutable;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies;

namespace NasActors.Runtime.Tests.Support;

/// <summary>Small search spaces and strategies for actor tests.</summary>
public static class Spaces
{
    /// <summary>Four layer choices of three candidates: 81 architectures.</summary>
    public static SearchSpace Tiny() => SearchSpace.Create("tiny",
        Enumerable.Range(0, 4).Select(i => Choice.Layer($"block{i}", "a", "b", "c")));

    public static CostTable CostsOf(SearchSpace space) => new(new ArchitectureCost(100, 10),
        space.Choices.SelectMany((c, i) => c.Candidates.Select((v, j) =>
                KeyValuePair.Create(CostTable.EntryKey(c.Key, v), new ArchitectureCost(10 * (i + 1) * (j + 1), j + 1))))
            .ToImmutableDictionary());

    public static SposEvolution Evolution(SearchSpace space, long seed = 11, int population = 4, int generations = 4) =>
        new(space, Constraints.None, new SposEvolutionSettings(population, generations, TopK: 2, MutationCount: 1,
            MutationProbability: 0.5, CrossoverCount: 1, Seed: seed));

    public static Architecture Arch(params string[] values) =>
        new(values.Select((v, i) => KeyValuePair.Create($"block{i}", v)));
}
