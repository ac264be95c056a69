using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies.Enas;
using NasActors.Core.Strategies.Population;
using NasActors.Core.Strategies.Random;
using NasActors.Core.Strategies.RegularizedEvolution;
using NasActors.Core.Strategies.Spos;
using NasActors.Core.Training;

namespace NasActors.Core.Tests.Support;

/// <summary>Spaces, cost tables, settings and plans for the plan tests, small enough to run a whole search in milliseconds.</summary>
public static class Fixtures
{
    public const string Random = "random";
    public const string Spos = "spos-evolution";
    public const string Regularized = "regularized-evolution";
    public const string Enas = "enas-rl";

    public static readonly string[] PopulationStrategies = [Random, Spos, Regularized];

    /// <summary>The default spos-shufflenet space: 6 blocks of the paper's 4 candidates (4096 architectures).</summary>
    public static SearchSpace SposSpace6() => SposSpace.Create(new SupernetSpec(16, [32, 64, 128], [2, 2, 2], SposSpace.PaperCandidates));

    /// <summary>A small ENAS micro space (normal and reduction cells of 2 nodes).</summary>
    public static SearchSpace EnasSpace() => EnasMicroSpace.Create(new EnasMicroSpec(8, 2, 1, 2, EnasMicroSpec.PaperOps));

    /// <summary>A cost table for a SPOS space: bigger kernels cost more, deeper stages cost more.</summary>
    public static CostTable SposCosts(SearchSpace space)
    {
        var perOp = new Dictionary<string, (long Flops, long Params)>
        {
            ["shuffle_3x3"] = (10, 3), ["shuffle_5x5"] = (20, 5), ["shuffle_7x7"] = (30, 7), ["xception_3x3"] = (24, 6),
        };
        var entries = ImmutableDictionary.CreateBuilder<string, ArchitectureCost>();
        for (var i = 0; i < space.Choices.Length; i++)
        {
            var c = space.Choices[i];
            foreach (var v in c.Candidates)
                entries[CostTable.EntryKey(c.Key, v)] = new ArchitectureCost(perOp[v].Flops * (1 + i / 2), perOp[v].Params * (1 + i / 2));
        }
        return new CostTable(new ArchitectureCost(1000, 100), entries.ToImmutable());
    }

    /// <summary>The median FLOPs over every architecture: a limit about half of them meet.</summary>
    public static long MedianFlops(SearchSpace space, CostTable costs)
    {
        var all = space.Enumerate().Select(a => costs.Cost(a).Flops).Order().ToList();
        return all[all.Count / 2];
    }

    public static OneShotSettings OneShot(long seed = 1, int slots = 2, long stepsPerSlot = 10, int stepsPerRound = 4, long retrainSteps = 0) =>
        new(seed, slots, stepsPerSlot, stepsPerRound, Retrain((int)retrainSteps, slots));

    /// <summary>Retraining for <paramref name="epochs"/> epochs (0 = off) on <paramref name="slots"/> slots, <paramref name="rounds"/> rounds per epoch.</summary>
    public static RetrainSettings Retrain(int epochs, int slots = 1, int rounds = 1) => RetrainSettings.Off with { Epochs = epochs, Slots = slots, Rounds = rounds };

    public static EngineSettings Engine(OneShotSettings oneShot, long maxFlops = 0, long maxParams = 0, int validationSize = 5000) =>
        new(oneShot.Seed, oneShot, maxFlops, maxParams, validationSize);

    /// <summary>Small settings of a population strategy: 32 candidates or so.</summary>
    public static object Settings(string strategy, long seed) => strategy switch
    {
        Random => new RandomSettings(PopulationSize: 8, Generations: 4, TopK: 4),
        Spos => new SposEvolutionSettings(PopulationSize: 8, Generations: 4, TopK: 4, MutationCount: 3, MutationProbability: 0.2, CrossoverCount: 3, Seed: seed),
        Regularized => new RegularizedEvolutionSettings(PopulationSize: 8, SampleSize: 3, Cycles: 22, Batch: 4, MutationProbability: 0.1, TopK: 4),
        _ => throw new ArgumentException(strategy),
    };

    public static EnasSettings EnasSettings(long seed = 1, int epochs = 3, int stepsPerEpoch = 2, int samplesPerUpdate = 3, int deriveSamples = 4) =>
        new(new ControllerSpec(16, 5.0, 1.1, 0.0035, 1e-4, 5.0, seed),
            new ReinforceSettings(epochs, stepsPerEpoch, samplesPerUpdate, 0.9, deriveSamples), RewardImages: 64, PathEvery: 1);

    public static IPlan Plan(string strategy, SearchSpace space, CostTable? costs, EngineSettings engine, object settings, bool readOnly = false) =>
        Catalog.Strategy(strategy).CreatePlan(new PlanContext(space, costs, engine, settings, readOnly));

    /// <summary>A population plan on the SPOS space with a FLOPs limit at the median.</summary>
    public sealed record PopulationCase(string Strategy, long Seed = 1, int Slots = 2, long RetrainSteps = 0)
    {
        public SearchSpace Space { get; } = SposSpace6();
        public CostTable Costs => SposCosts(Space);
        public long MaxFlops => MedianFlops(Space, Costs);
        public EngineSettings Engine => Fixtures.Engine(OneShot(Seed, Slots, retrainSteps: RetrainSteps), MaxFlops);
        public object Settings => Fixtures.Settings(Strategy, Seed);
        public PopulationPlan Plan() => (PopulationPlan)Fixtures.Plan(Strategy, Space, Costs, Engine, Settings);
        public FakeBackend Backend() => new(Space, Costs);
    }

    /// <summary>An ENAS plan on a small micro space: 3 epochs of 2 rounds (2 slots) and 2 controller steps.</summary>
    public sealed record EnasCase(long Seed = 1, int StepsPerEpoch = 2, int Slots = 2, long RetrainSteps = 0)
    {
        public SearchSpace Space { get; } = EnasSpace();
        public EngineSettings Engine => Fixtures.Engine(OneShot(Seed, Slots, stepsPerSlot: 12, stepsPerRound: 2, retrainSteps: RetrainSteps));
        public EnasSettings Settings => EnasSettings(Seed, stepsPerEpoch: StepsPerEpoch);
        public EnasPlan Plan() => (EnasPlan)Fixtures.Plan(Enas, Space, null, Engine, Settings);
        public FakeBackend Backend() => new(Space);
    }
}
