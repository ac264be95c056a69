using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies;
using NasActors.Core.Strategies.RegularizedEvolution;
using RegEvo = NasActors.Core.Strategies.RegularizedEvolution.AgingEvolution;

namespace NasActors.Core.Tests.Strategies.RegularizedEvolution;

public class RegularizedEvolutionSettingsTests
{
    private static RegularizedEvolutionSettings Valid => new(PopulationSize: 16, SampleSize: 4, Cycles: 48, Batch: 8, MutationProbability: 0.1, TopK: 5);

    [Theory]
    [InlineData(1, 1, 0, 1, 0.0, 1)]
    [InlineData(5, 5, 3, 10, 1.0, 8)]
    [InlineData(100, 25, 20000, 1, 0.05, 10)]
    public void RegularizedEvolutionSettings_must_accept_boundary_values(int pop, int sample, int cycles, int batch, double p, int topK) =>
        new RegularizedEvolutionSettings(pop, sample, cycles, batch, p, topK).Validate();

    public static TheoryData<RegularizedEvolutionSettings, string> Bad => new()
    {
        { Valid with { PopulationSize = 0, SampleSize = 0 }, "nas.strategies.regularized-evolution.population-size = 0" },
        { Valid with { PopulationSize = -3 }, "nas.strategies.regularized-evolution.population-size = -3" },
        { Valid with { SampleSize = 0 }, "nas.strategies.regularized-evolution.sample-size = 0" },
        { Valid with { SampleSize = 17 }, "nas.strategies.regularized-evolution.sample-size = 17 must be between 1 and population-size (16)" },
        { Valid with { Cycles = -1 }, "nas.strategies.regularized-evolution.cycles = -1" },
        { Valid with { Batch = 0 }, "nas.strategies.regularized-evolution.batch = 0" },
        { Valid with { MutationProbability = -0.01 }, "nas.strategies.regularized-evolution.mutation-probability = -0.01" },
        { Valid with { MutationProbability = 1.5 }, "nas.strategies.regularized-evolution.mutation-probability = 1.5" },
        { Valid with { MutationProbability = double.NaN }, "nas.strategies.regularized-evolution.mutation-probability" },
        { Valid with { TopK = 0 }, "nas.strategies.regularized-evolution.top-k = 0" },
        { Valid with { TopK = 65 }, "nas.strategies.regularized-evolution.top-k = 65 must be between 1 and the 64 candidates" },
        { Valid with { PopulationSize = int.MaxValue, SampleSize = 1, Cycles = int.MaxValue }, "nas.strategies.regularized-evolution.population-size + cycles" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void RegularizedEvolutionSettings_Validate_must_reject_bad_values_naming_the_key(RegularizedEvolutionSettings settings, string expected)
    {
        var e = Assert.Throws<NasUserException>(settings.Validate);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData(48, 8, 7, new[] { 8, 8, 8, 8, 8, 8 })]
    [InlineData(50, 8, 8, new[] { 8, 8, 8, 8, 8, 8, 2 })]
    [InlineData(3, 8, 2, new[] { 3 })]
    [InlineData(5, 1, 6, new[] { 1, 1, 1, 1, 1 })]
    [InlineData(0, 4, 1, new int[0])]
    public void RegularizedEvolutionSettings_must_run_the_population_then_ceil_cycles_over_batch_generations_of_children(
        int cycles, int batch, int generations, int[] children)
    {
        var s = Valid with { Cycles = cycles, Batch = batch, TopK = 1 };
        Assert.Equal(generations, s.Generations);
        Assert.Equal(children, Enumerable.Range(1, generations - 1).Select(s.Children));
        Assert.Equal(cycles, children.Sum());
        Assert.Equal(16 + cycles, s.Candidates);
        Assert.Equal(0, s.Children(generations)); // nothing past the last generation
    }

    [Fact]
    public void RegularizedEvolution_must_refuse_invalid_settings_when_built()
    {
        var space = SearchSpace.Create("s", [Choice.Layer("op", "a", "b")]);
        var e = Assert.Throws<NasUserException>(() => new RegEvo(space, Constraints.None, Valid with { SampleSize = 20 }, 1));
        Assert.Contains("sample-size = 20", e.Message);
    }
}
