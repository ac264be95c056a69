using System.Collections.Immutable;
using System.Globalization;
using CsCheck;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies.Random;
using NasActors.Core.Strategies.RegularizedEvolution;
using NasActors.Core.Strategies.Spos;
using NasActors.Core.Strategies;

namespace NasActors.Core.Tests.Support;

/// <summary>CsCheck generators for search spaces, architectures, cost tables and strategy scenarios.</summary>
public static class Gens
{
    // Layer names include a numeric-looking one, a non-ASCII one and one with '=' (allowed in candidates).
    private static readonly string[] LayerNames =
        ["conv_3x3", "conv_5x5", "max_pool_3x3", "skip_connect", "sep_conv_3x3", "dil_conv_5x5", "3", "zero", "ünï_op", "a=b"];

    // Value candidates in the forms NNI dicts use: integers, decimals, exponents (all canonical JSON numbers) and words.
    private static readonly string[] ValueNames =
        ["16", "32", "-3", "0", "0.5", "1.25", "1e-3", "relu", "swish", "1000000000000", "7.0", "-2.5E+2"];

    // Key prefixes not in ordinal order, so the space's order differs from an architecture's sorted key order.
    private const string Letters = "qwertyuiopasdfghjklzxcvbnm";

    public sealed record ChoiceSpec(int Kind, int N, int K, int Offset)
    {
        public Choice ToChoice(int index)
        {
            var key = Letters[(index * 7) % Letters.Length] + index.ToString(CultureInfo.InvariantCulture);
            return Kind switch
            {
                0 => Choice.Layer(key + "/op", Take(LayerNames, N, Offset)),
                1 => Choice.Input(key + "/input", N, Math.Min(K, N)),
                _ => Choice.Value(key + "/width", Take(ValueNames, N, Offset)),
            };
        }

        private static string[] Take(string[] pool, int n, int offset) =>
            [.. Enumerable.Range(0, n).Select(i => pool[(offset + i) % pool.Length])];
    }

    public static readonly Gen<ChoiceSpec> ChoiceSpecGen =
        Gen.Select(Gen.Int[0, 2], Gen.Int[1, 5], Gen.Int[1, 5], Gen.Int[0, 20], (k, n, c, o) => new ChoiceSpec(k, n, c, o));

    /// <summary>Random valid spaces mixing layer, input (n_chosen ≥ 1) and value choices.</summary>
    public static Gen<SearchSpace> Space(int minChoices = 1, int maxChoices = 7) =>
        ChoiceSpecGen.Array[minChoices, maxChoices]
            .Select(specs => SearchSpace.Create("generated", specs.Select((s, i) => s.ToChoice(i))));

    /// <summary>A space and a uniformly sampled architecture of it.</summary>
    public static Gen<(SearchSpace Space, Architecture Arch)> SpaceAndArch(int minChoices = 1, int maxChoices = 7) =>
        Gen.Select(Space(minChoices, maxChoices), Gen.Long, (s, seed) => (s, s.Sample(Xoshiro256.FromSeed(seed))));

    /// <summary>Every value a choice can take, in canonical form (input subsets ascending, comma-separated).</summary>
    public static IEnumerable<string> AllValues(Choice c)
    {
        if (c.Kind != ChoiceKind.Input) return c.Candidates;
        return Subsets(c.Candidates.Length, c.NChosen).Select(s => string.Join(",", s));
    }

    private static IEnumerable<int[]> Subsets(int n, int k, int start = 0)
    {
        if (k == 0) { yield return []; yield break; }
        for (var i = start; i <= n - k; i++)
            foreach (var rest in Subsets(n, k - 1, i + 1))
                yield return [i, .. rest];
    }

    /// <summary>Enumerates every architecture of a (small) space.</summary>
    public static IEnumerable<Architecture> AllArchitectures(SearchSpace space)
    {
        IEnumerable<ImmutableList<KeyValuePair<string, string>>> acc = [ImmutableList<KeyValuePair<string, string>>.Empty];
        foreach (var c in space.Choices)
        {
            var choice = c;
            acc = acc.SelectMany(prefix => AllValues(choice).Select(v => prefix.Add(KeyValuePair.Create(choice.Key, v))));
        }
        return acc.Select(kvs => new Architecture(kvs));
    }

    /// <summary>A cost table with an entry for every value of every choice (input subsets and single inputs).</summary>
    public static CostTable RandomCostTable(SearchSpace space, long seed)
    {
        var rng = Xoshiro256.FromSeed(seed);
        var entries = ImmutableDictionary.CreateBuilder<string, ArchitectureCost>();
        foreach (var c in space.Choices)
            foreach (var v in AllValues(c).Concat(c.Candidates).Distinct())
                entries[CostTable.EntryKey(c.Key, v)] = new ArchitectureCost(rng.NextInt(100), rng.NextInt(50));
        return new CostTable(new ArchitectureCost(1000, 500), entries.ToImmutable());
    }

    /// <summary>Limits at roughly the median cost of random architectures, on FLOPs, params or both.</summary>
    public static Constraints MedianLimits(SearchSpace space, CostTable costs, long seed, int which)
    {
        var rng = Xoshiro256.FromSeed(seed);
        var samples = Enumerable.Range(0, 21).Select(_ => costs.Cost(space.Sample(rng))).ToArray();
        var flops = samples.Select(s => s.Flops).Order().ElementAt(10);
        var prms = samples.Select(s => s.Params).Order().ElementAt(10);
        return which switch
        {
            0 => Constraints.None,
            1 => new Constraints(costs, flops, null),
            2 => new Constraints(costs, null, prms),
            _ => new Constraints(costs, flops, prms),
        };
    }

    public static string Describe(SearchSpace s) =>
        string.Join(" | ", s.Choices.Select(c => $"{c.Key}:{c.Kind}:{c.NChosen}:[{string.Join(",", c.Candidates)}]"));

    /// <summary>Valid SPOS settings (what Validate accepts), small enough for fast runs.</summary>
    public static readonly Gen<SposEvolutionSettings> Settings =
        Gen.Int[1, 12].SelectMany(pop =>
            Gen.Select(Gen.Int[1, 6], Gen.Int[1, pop], Gen.Int[0, pop], Gen.Int[0, pop], Gen.OneOf(0.05, 0.1, 0.3, 0.5, 1.0), Gen.Long,
                (gens, topK, m, c, p, seed) =>
                {
                    var mut = Math.Min(m, pop);
                    var cross = Math.Min(c, pop - mut);
                    return new SposEvolutionSettings(pop, gens, topK, mut, p, cross, seed);
                }));

    /// <summary>Valid regularized-evolution settings (what Validate accepts), small enough for fast runs.</summary>
    public static readonly Gen<RegularizedEvolutionSettings> RegularizedSettings =
        Gen.Int[1, 10].SelectMany(pop =>
            Gen.Select(Gen.Int[1, pop], Gen.Int[0, 24], Gen.Int[1, 8], Gen.OneOf(0.0, 0.05, 0.1, 0.3, 1.0), Gen.Int[1, 40],
                (sample, cycles, batch, p, topK) => new RegularizedEvolutionSettings(pop, sample, cycles, batch, p, Math.Min(topK, pop + cycles))));

    /// <summary>The population strategies the property tests cover.</summary>
    public enum Kind { Random, Spos, Regularized }

    /// <summary>One strategy run's inputs: a space, limits and a strategy built from them.</summary>
    /// <param name="Settings">Population size, generations, top-k and seed for random search and SPOS evolution (and the seed for all).</param>
    /// <param name="Regularized">The settings of regularized evolution.</param>
    public sealed record Scenario(SearchSpace Space, Constraints Constraints, SposEvolutionSettings Settings, Kind Kind, RegularizedEvolutionSettings Regularized)
    {
        public long Seed => Settings.Seed;
        public int Generations => Kind == Kind.Regularized ? Regularized.Generations : Settings.Generations;
        public int TopK => Kind == Kind.Regularized ? Regularized.TopK : Settings.TopK;
        public int Candidates => Kind == Kind.Regularized ? Regularized.Candidates : Settings.Generations * Settings.PopulationSize;

        /// <summary>The most candidates generation <paramref name="generation"/> may hold.</summary>
        public int GenerationSize(int generation) => Kind != Kind.Regularized ? Settings.PopulationSize
            : generation == 0 ? Regularized.PopulationSize : Regularized.Children(generation);

        public PopulationStrategy Strategy(long? seed = null) => Kind switch
        {
            Kind.Spos => new SposEvolution(Space, Constraints, seed is { } s ? Settings with { Seed = s } : Settings),
            Kind.Regularized => new AgingEvolution(Space, Constraints, Regularized, seed ?? Settings.Seed),
            _ => new RandomSearch(Space, Constraints, seed ?? Settings.Seed, Settings.Generations, Settings.PopulationSize, Settings.TopK),
        };

        public override string ToString() =>
            $"{Kind} {(Kind == Kind.Regularized ? Regularized : Settings)} seed {Seed} limits(flops={Constraints.MaxFlops}, params={Constraints.MaxParams}) space: {Describe(Space)}";
    }

    public static Gen<Scenario> Scenarios(Kind kind) =>
        Gen.Select(Space(1, 6), Settings, RegularizedSettings, Gen.Int[0, 3], Gen.Long, (space, settings, regularized, which, costSeed) =>
            new Scenario(space, MedianLimits(space, RandomCostTable(space, costSeed), costSeed, which), settings, kind, regularized));
}
