using System.Text.RegularExpressions;
using NasActors.Core.Engine;
using NasActors.Core.SearchSpaces;
using NasActors.Core.SearchSpaces.Darts;
using NasActors.Core.Strategies.Darts;
using NasActors.Core.Strategies.Enas;
using NasActors.Core.Strategies.Random;
using NasActors.Core.Strategies.Train;
using NasActors.Core.Tests.Support;
using NasActors.Core.Training;

namespace NasActors.Core.Tests.Engine;

/// <summary>The registered spaces and strategies: names, descriptions, config sections, which pairs run, and that they do.</summary>
public partial class CatalogTests
{
    /// <summary>The search strategies (train trains one given architecture: its defaults name none; TrainPlanTests cover it).</summary>
    public static TheoryData<string> StrategyNames => new(Searching.Select(s => s.Name));

    private static IEnumerable<StrategyModule> Searching => Catalog.Strategies.Where(s => s is not TrainModule);
    public static TheoryData<string> SpaceNames => new(Catalog.Spaces.Select(s => s.Name));

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$")] private static partial Regex KebabName();

    /// <summary>Engine settings every built-in strategy accepts: 150 rounds (ENAS's and DARTS's default epochs divide them), no limits.</summary>
    private static EngineSettings Engine(int slots = 1) => Fixtures.Engine(Fixtures.OneShot(seed: 3, slots: slots, stepsPerSlot: 150, stepsPerRound: 1));

    /// <summary>Whether the built-in pair is refused by design: DARTS needs a mixed-op network, which only the darts space has.</summary>
    private static bool RefusedByDesign(string space, string strategy) => strategy == DartsPlan.Name && space != DartsSpace.Name;

    private static FakeSettings Section(StrategyModule m) => FakeSettings.FromSection("nas.strategies." + m.Name, m.ConfigSection);
    private static FakeSettings Section(SpaceModule m) => FakeSettings.FromSection("nas.spaces." + m.Name, m.ConfigSection);

    [Fact]
    public void Catalog_must_give_every_space_strategy_and_dataset_a_unique_name()
    {
        string[][] names = [[.. Catalog.Spaces.Select(s => s.Name)], [.. Catalog.Strategies.Select(s => s.Name)], [.. Catalog.Datasets.Select(d => d.Name)]];
        foreach (var list in names)
        {
            Assert.NotEmpty(list);
            Assert.Equal(list.Length, list.Distinct(StringComparer.Ordinal).Count());
            Assert.All(list, n => Assert.Matches(KebabName(), n));
        }
        Assert.Superset(new HashSet<string> { "random", "spos-evolution", "enas-rl", "regularized-evolution" }, names[1].ToHashSet());
        Assert.Superset(new HashSet<string> { "spos-shufflenet", "enas-micro" }, names[0].ToHashSet());
    }

    [Fact]
    public void Catalog_must_describe_every_module_in_one_line_and_document_its_config_section()
    {
        foreach (var (name, description, section) in Catalog.Spaces.Select(s => (s.Name, s.Description, s.ConfigSection))
                     .Concat(Catalog.Strategies.Select(s => (s.Name, s.Description, s.ConfigSection))))
        {
            Assert.False(string.IsNullOrWhiteSpace(description), name);
            Assert.DoesNotContain('\n', description);
            Assert.False(string.IsNullOrWhiteSpace(section), $"{name} has no config section");
            Assert.Contains('#', section); // defaults come with comments
            Assert.NotEmpty(FakeSettings.FromSection(name, section).Values);
        }
    }

    [Fact]
    public void Catalog_must_find_modules_by_name_and_list_the_names_for_an_unknown_one()
    {
        Assert.All(Catalog.Strategies, s => Assert.Same(s, Catalog.Strategy(s.Name)));
        Assert.All(Catalog.Spaces, s => Assert.Same(s, Catalog.Space(s.Name)));
        var e = Assert.Throws<NasUserException>(() => Catalog.Strategy("aging"));
        Assert.Contains("nas.strategy = 'aging' is not a registered strategy", e.Message);
        Assert.Contains("regularized-evolution", e.Message);
        var s = Assert.Throws<NasUserException>(() => Catalog.Space("nasbench"));
        Assert.Contains("nas.space = 'nasbench' is not a registered space", s.Message);
        Assert.All(Catalog.Spaces, m => Assert.Contains(m.Name, s.Message));
    }

    [Fact]
    public void Catalog_must_refuse_a_name_registered_twice()
    {
        var before = Catalog.Strategies;
        var e = Assert.Throws<NasUserException>(() => Catalog.Register([], [new RandomModule()]));
        Assert.Contains("strategy 'random' is registered twice", e.Message);
        Assert.Equal(before, Catalog.Strategies);
        Assert.Throws<NasUserException>(() => Catalog.Register([new SposShuffleNetModule()], []));
    }

    [Theory]
    [MemberData(nameof(StrategyNames))]
    public void StrategyModule_must_read_the_defaults_of_its_own_config_section(string name)
    {
        var m = Catalog.Strategy(name);
        Assert.NotNull(m.ReadSettings(Section(m), Engine()));
    }

    [Theory]
    [MemberData(nameof(SpaceNames))]
    public void SpaceModule_must_read_the_defaults_of_its_own_config_section_into_a_weight_sharing_space(string name)
    {
        var m = Catalog.Space(name);
        var spec = m.ReadSpec(Section(m));
        var space = m.CreateSpace(spec);
        Assert.NotEmpty(space.Choices);
        Assert.Equal(new SpaceTraits(WeightSharing: true, SmallChoices: true, MixedOps: name == DartsSpace.Name), m.Traits(spec));
    }

    [Theory]
    [MemberData(nameof(StrategyNames))]
    public void StrategyModule_must_refuse_a_space_without_weight_sharing(string name)
    {
        var m = Catalog.Strategy(name);
        var why = m.Incompatibility(new NamedSpace("plain-cnn"), new SpaceTraits(WeightSharing: false, SmallChoices: true, MixedOps: true));
        Assert.NotNull(why);
        Assert.Contains(name, why);
        Assert.Contains("plain-cnn", why);
        Assert.Null(m.Incompatibility(new NamedSpace("darts"), new SpaceTraits(WeightSharing: true, SmallChoices: true, MixedOps: true)));
    }

    [Fact]
    public void EnasModule_must_refuse_a_space_with_a_choice_of_too_many_values_and_population_strategies_must_not()
    {
        var multi = SearchSpace.Create("multi", [Choice.Layer("op", "a", "b"), Choice.Input("in", 12, 6)]); // 924 subsets: too many for one categorical decision
        var traits = SpaceTraits.Of(multi, weightSharing: true);
        Assert.False(traits.SmallChoices);
        Assert.True(SpaceTraits.Of(Fixtures.EnasSpace(), weightSharing: true).SmallChoices);
        var why = new EnasModule().Incompatibility(new NamedSpace("multi"), traits);
        Assert.NotNull(why);
        Assert.Contains("multi", why);
        Assert.All(Catalog.Strategies.Where(s => s is not EnasModule), s => Assert.Null(s.Incompatibility(new NamedSpace("multi"), traits with { MixedOps = true })));
    }

    [Fact]
    public void StrategyModule_must_ask_a_backend_for_a_policy_only_for_enas_and_for_step_settings_only_for_darts()
    {
        foreach (var m in Searching)
        {
            var needs = m.BackendNeeds(m.ReadSettings(Section(m), Engine()));
            if (m is EnasModule) Assert.IsType<ControllerSpec>(Assert.Single(needs));
            else if (m is DartsStrategyModule) Assert.IsType<DartsSettings>(Assert.Single(needs)); // its steps' hyper-parameters
            else Assert.Empty(needs);
        }
    }

    public static TheoryData<string, string> Pairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var space in Catalog.Spaces)
            foreach (var strategy in Searching)
                data.Add(space.Name, strategy.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Catalog_must_run_every_pair_its_modules_accept_with_their_defaults_to_the_end(string spaceName, string strategyName)
    {
        var spaceModule = Catalog.Space(spaceName);
        var strategy = Catalog.Strategy(strategyName);
        var spec = spaceModule.ReadSpec(Section(spaceModule));
        var refusal = strategy.Incompatibility(spaceModule, spaceModule.Traits(spec));
        if (RefusedByDesign(spaceName, strategyName))
        {
            Assert.NotNull(refusal);
            Assert.Contains(spaceName, refusal);
            return;
        }
        if (refusal is { } why)
        {
            Assert.Fail($"the built-in pair {spaceName} + {strategyName} is refused: {why}");
            return;
        }
        var space = spaceModule.CreateSpace(spec);
        var engine = Engine(slots: 2);
        var plan = strategy.CreatePlan(new PlanContext(space, null, engine, strategy.ReadSettings(Section(strategy), engine)));
        Assert.Equal(strategyName, plan.Strategy);
        var run = PlanDriver.Run(plan, new FakeBackend(space), DriverOptions.Shuffled(1, duplicates: false));
        Assert.True(run.Finished, $"ended with {run.End}");
        var status = plan.Status(run.Final);
        Assert.Equal("finished", status.Phase);
        Assert.NotEmpty(status.Ranking);
        Assert.All(status.Ranking, r => space.Validate(r.Rollout.Architecture));
        Assert.NotNull(status.Test);
    }
}
