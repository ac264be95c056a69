using NasActors.Core.Engine;
using NasActors.Core.Strategies.Population;

namespace NasActors.Core.Strategies.RegularizedEvolution;

/// <summary>Registration of regularized (aging) evolution (nas.strategy = regularized-evolution).</summary>
public sealed class RegularizedEvolutionModule : StrategyModule<RegularizedEvolutionSettings>
{
    public override string Name => "regularized-evolution";

    public override string Description =>
        "regularized (aging) evolution (Real et al. 2019): mutate the best of a random sample of the most recent candidates, the oldest ageing out, under FLOPs/params limits";

    public override string ConfigSection => """
        # Generation 0 holds population-size uniform samples. Each later generation holds `batch` children (scored in
        # parallel), `cycles` children in all: each child mutates the best of sample-size members drawn from the
        # population, which is the population-size most recent candidates (the oldest ages out, however good it is).
        # Mutation resamples each choice with mutation-probability, and changes one choice when that changed none.
        # Real et al. 2019 and NNI: population 100, sample 25 (a quarter of it), NNI's mutation_prob 0.05. These
        # defaults score 16 + 48 = 64 candidates, as spos-evolution's do; 0.1 mutates like spos-evolution (NNI's 0.05
        # suits spaces with far more choices; on 6 blocks it would almost always change just one). 0 = change one choice.
        population-size = 16
        sample-size = 4
        cycles = 48
        batch = 8
        mutation-probability = 0.1
        top-k = 5
        """;

    public override RegularizedEvolutionSettings Read(ISettingsSource s, EngineSettings engine)
    {
        var settings = new RegularizedEvolutionSettings(
            s.Int("population-size", 1, 100_000), s.Int("sample-size", 1, 100_000), s.Int("cycles", 0, 10_000_000),
            s.Int("batch", 1, 100_000), s.Double("mutation-probability", 0, 1), s.Int("top-k", 1, 100_000));
        s.Check(settings.Validate);
        return settings;
    }

    public override IPlan CreatePlan(PlanContext c, RegularizedEvolutionSettings s)
    {
        var constraints = c.Engine.Constraints(c.Costs);
        if (!c.ReadOnly) constraints.CheckSatisfiable(c.Space);
        return new PopulationPlan(new AgingEvolution(c.Space, constraints, s, c.Engine.Seed), c.Engine.OneShot, s.Candidates);
    }
}
