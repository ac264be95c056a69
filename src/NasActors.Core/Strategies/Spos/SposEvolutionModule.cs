using NasActors.Core.Engine;
using NasActors.Core.Strategies.Population;

namespace NasActors.Core.Strategies.Spos;

/// <summary>Registration of SPOS evolution (nas.strategy = spos-evolution).</summary>
public sealed class SposEvolutionModule : StrategyModule<SposEvolutionSettings>
{
    public override string Name => "spos-evolution";

    public override string Description =>
        "SPOS (Guo et al. 2020): train the supernet on uniform single paths, then evolve (top-k parents, mutation, crossover) under FLOPs/params limits";

    public override string ConfigSection => """
        # Generation 0 is random; each later one holds mutation-count mutations of the top-k parents (each choice
        # resampled with mutation-probability), crossover-count crossovers, and random samples up to population-size.
        # The SPOS paper: population 50, 20 generations, top 10, 25 mutations (p = 0.1), 25 crossovers.
        population-size = 16
        generations = 4
        top-k = 5
        mutation-count = 6
        mutation-probability = 0.1
        crossover-count = 6
        """;

    public override SposEvolutionSettings Read(ISettingsSource s, EngineSettings engine)
    {
        var settings = new SposEvolutionSettings(
            s.Int("population-size", 1, 100_000), s.Int("generations", 1, 100_000), s.Int("top-k", 1, 100_000),
            s.Int("mutation-count", 0, 100_000), s.Double("mutation-probability", 0, 1), s.Int("crossover-count", 0, 100_000), engine.Seed);
        s.Check(settings.Validate);
        return settings;
    }

    public override IPlan CreatePlan(PlanContext c, SposEvolutionSettings s)
    {
        var constraints = c.Engine.Constraints(c.Costs);
        if (!c.ReadOnly) constraints.CheckSatisfiable(c.Space);
        return new PopulationPlan(new SposEvolution(c.Space, constraints, s), c.Engine.OneShot, s.Generations * s.PopulationSize);
    }
}
