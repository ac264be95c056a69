using System.Text.RegularExpressions;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Strategies.Population;
using NasActors.Core.Strategies.RegularizedEvolution;
using NasActors.Core.Strategies.Spos;
using NasActors.Core.Tests.Support;
using RegEvo = NasActors.Core.Strategies.RegularizedEvolution.AgingEvolution;

namespace NasActors.Core.Tests.Strategies.RegularizedEvolution;

/// <summary>Regularized evolution as a registered strategy: its config section, its settings and its plan.</summary>
public partial class RegularizedEvolutionModuleTests
{
    private static readonly RegularizedEvolutionModule Module = new();

    private static FakeSettings Defaults() => FakeSettings.FromSection("nas.strategies.regularized-evolution", Module.ConfigSection);

    private static EngineSettings Engine(long maxFlops = 0) => Fixtures.Engine(Fixtures.OneShot(slots: 2), maxFlops);

    [GeneratedRegex(@"^gen (\d+) mutation of r(\d+)$")] private static partial Regex MutationOrigin();

    [Fact]
    public void RegularizedEvolutionModule_must_be_registered_under_its_name()
    {
        Assert.Equal("regularized-evolution", Module.Name);
        Assert.IsType<RegularizedEvolutionModule>(Catalog.Strategy("regularized-evolution"));
        Assert.DoesNotContain('\n', Module.Description);
    }

    [Fact]
    public void RegularizedEvolutionModule_must_read_its_defaults_a_budget_like_spos_evolution()
    {
        var s = Module.Read(Defaults(), Engine());
        Assert.Equal(new RegularizedEvolutionSettings(16, 4, 48, 8, 0.1, 5), s);
        Assert.Equal(64, s.Candidates);
        Assert.Equal(7, s.Generations);
        var spos = FakeSettings.FromSection("nas.strategies.spos-evolution", new SposEvolutionModule().ConfigSection);
        Assert.Equal(spos.Int("population-size", 1, 1000) * spos.Int("generations", 1, 1000), s.Candidates);
    }

    [Theory]
    [InlineData("population-size", "0", "nas.strategies.regularized-evolution.population-size = 0 in test.conf is out of range")]
    [InlineData("sample-size", "many", "nas.strategies.regularized-evolution.sample-size in test.conf is not an integer")]
    [InlineData("cycles", "-1", "nas.strategies.regularized-evolution.cycles = -1 in test.conf is out of range")]
    [InlineData("batch", "0", "nas.strategies.regularized-evolution.batch = 0 in test.conf is out of range")]
    [InlineData("mutation-probability", "1.5", "nas.strategies.regularized-evolution.mutation-probability = 1.5 in test.conf is out of range")]
    [InlineData("top-k", "0", "nas.strategies.regularized-evolution.top-k = 0 in test.conf is out of range")]
    [InlineData("sample-size", "17", "nas.strategies.regularized-evolution.sample-size = 17 must be between 1 and population-size (16) (in test.conf)")]
    [InlineData("top-k", "65", "nas.strategies.regularized-evolution.top-k = 65 must be between 1 and the 64 candidates scored (population-size + cycles) (in test.conf)")]
    public void RegularizedEvolutionModule_must_reject_bad_settings_naming_the_key_and_the_file(string key, string value, string expected)
    {
        var e = Assert.Throws<NasUserException>(() => Module.Read(Defaults().With(key, value), Engine()));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void RegularizedEvolutionModule_must_plan_a_population_search_of_its_generations()
    {
        var space = Fixtures.SposSpace6();
        var settings = Module.Read(Defaults(), Engine());
        var plan = Assert.IsType<PopulationPlan>(Module.CreatePlan(new PlanContext(space, Fixtures.SposCosts(space), Engine(), settings)));
        Assert.Equal("regularized-evolution", plan.Strategy);
        var strategy = Assert.IsType<RegEvo>(plan.SearchStrategy);
        Assert.Equal(settings, strategy.Settings);
        var status = plan.Status(plan.Initial);
        Assert.Equal(new PlanCounter("generation", 0, 7), status.Counter("generation"));
        Assert.Equal(new PlanCounter("scored", 0, 64), status.Counter("scored"));
        Assert.Null(Module.Incompatibility(new NamedSpace("spos"), new SpaceTraits(WeightSharing: true, SmallChoices: false)));
    }

    [Fact]
    public void RegularizedEvolutionModule_must_refuse_limits_no_architecture_meets_unless_read_only()
    {
        var space = Fixtures.SposSpace6();
        var costs = Fixtures.SposCosts(space);
        var settings = Module.Read(Defaults(), Engine());
        var e = Assert.Throws<NasUserException>(() => Module.CreatePlan(new PlanContext(space, costs, Engine(maxFlops: 1000), settings)));
        Assert.Contains("nas.search.max-flops = 1000", e.Message);
        Assert.NotNull(Module.CreatePlan(new PlanContext(space, costs, Engine(maxFlops: 1000), settings, ReadOnly: true)));
    }

    [Fact]
    public void RegularizedEvolution_plan_must_breed_each_generation_from_the_population_its_journal_had_scored()
    {
        // Read back from the journal alone: before each generation, the population is the last population-size scored
        // rollouts by id; every child's parent is one of them, and at least sample-size - 1 of them rank below it.
        var c = new Fixtures.PopulationCase(Fixtures.Regularized, Seed: 31, Slots: 2);
        var settings = (RegularizedEvolutionSettings)c.Settings;
        var run = PlanDriver.Run(c.Plan(), c.Backend(), DriverOptions.Shuffled(3));
        Assert.True(run.Finished);
        var scored = new Dictionary<RolloutId, ScoredRollout>();
        var rollouts = new Dictionary<RolloutId, Rollout>();
        var children = 0;
        foreach (var e in run.Events)
            switch (e)
            {
                case GenerationProposed g:
                    var window = scored.Values.OrderBy(s => s.Rollout.Id).TakeLast(settings.PopulationSize).Order(ScoredRollout.BestFirst).ToList();
                    Assert.Equal(scored.Count, rollouts.Count); // a generation is proposed once the last one is scored
                    foreach (var r in g.Rollouts)
                    {
                        rollouts.Add(r.Id, r);
                        if (g.Generation == 0) { Assert.Equal("gen 0 random", r.Origin); continue; }
                        var m = MutationOrigin().Match(r.Origin);
                        Assert.True(m.Success, r.Origin);
                        var rank = window.FindIndex(s => s.Rollout.Id.Value == int.Parse(m.Groups[2].Value));
                        Assert.InRange(rank, 0, settings.PopulationSize - settings.SampleSize);
                        children++;
                    }
                    break;
                case ScoreRecorded s:
                    scored.Add(s.Id, new ScoredRollout(rollouts[s.Id], s.Metrics));
                    break;
            }
        Assert.Equal(settings.Cycles, children);
    }
}
