using NasActors.Core.Engine;
using NasActors.Core.Strategies.Population;

namespace NasActors.Core.Strategies.Random;

/// <summary>Registration of random search (nas.strategy = random), the honest baseline.</summary>
public sealed class RandomModule : StrategyModule<RandomSettings>
{
    public override string Name => "random";

    public override string Description => "random search: uniform samples within the FLOPs/params limits, scored on the trained supernet (the baseline)";

    public override string ConfigSection => """
        # generations batches of population-size new architectures, sampled uniformly within the limits; the batches
        # only set how much is scored in parallel before the next is drawn. top-k = candidates kept as the result.
        population-size = 16
        generations = 4
        top-k = 5
        """;

    public override RandomSettings Read(ISettingsSource s, EngineSettings engine)
    {
        var settings = new RandomSettings(s.Int("population-size", 1, 100_000), s.Int("generations", 1, 100_000), s.Int("top-k", 1, 100_000));
        if (settings.TopK > settings.PopulationSize * settings.Generations)
            throw s.Error("top-k", $"= {settings.TopK} is more than the {settings.PopulationSize * settings.Generations} architectures sampled");
        return settings;
    }

    public override IPlan CreatePlan(PlanContext c, RandomSettings s)
    {
        var constraints = c.Engine.Constraints(c.Costs);
        if (!c.ReadOnly) constraints.CheckSatisfiable(c.Space);
        return new PopulationPlan(new RandomSearch(c.Space, constraints, c.Engine.Seed, s.Generations, s.PopulationSize, s.TopK),
            c.Engine.OneShot, s.Generations * s.PopulationSize);
    }
}
