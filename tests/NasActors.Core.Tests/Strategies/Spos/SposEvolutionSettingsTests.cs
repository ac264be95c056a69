using NasActors.Core.Strategies.Spos;
using NasActors.Core.Strategies;

namespace NasActors.Core.Tests.Strategies.Spos;

public class SposEvolutionSettingsTests
{
    [Fact]
    public void SposEvolutionSettings_must_default_to_the_paper_values_and_validate()
    {
        var s = new SposEvolutionSettings();
        Assert.Equal((50, 20, 10, 25, 0.1, 25), (s.PopulationSize, s.Generations, s.TopK, s.MutationCount, s.MutationProbability, s.CrossoverCount));
        s.Validate();
    }

    [Theory]
    [InlineData(1, 1, 1, 0, 1.0, 0)]
    [InlineData(10, 3, 10, 10, 0.5, 0)]
    [InlineData(10, 3, 1, 0, 1e-9, 10)]
    [InlineData(10, 3, 5, 4, 0.1, 6)]
    public void SposEvolutionSettings_must_accept_boundary_values(int pop, int gens, int topK, int mut, double p, int cross)
    {
        new SposEvolutionSettings(pop, gens, topK, mut, p, cross).Validate();
    }

    public static TheoryData<SposEvolutionSettings, string> Bad => new()
    {
        { new(PopulationSize: 0, TopK: 0, MutationCount: 0, CrossoverCount: 0), "nas.strategies.spos-evolution.population-size = 0" },
        { new(PopulationSize: -5, TopK: 1, MutationCount: 0, CrossoverCount: 0), "nas.strategies.spos-evolution.population-size = -5" },
        { new(Generations: 0), "nas.strategies.spos-evolution.generations = 0" },
        { new(Generations: -1), "nas.strategies.spos-evolution.generations = -1" },
        { new(TopK: 0), "nas.strategies.spos-evolution.top-k = 0" },
        { new(TopK: 51), "nas.strategies.spos-evolution.top-k = 51" },
        { new(MutationCount: -1), "nas.strategies.spos-evolution.mutation-count" },
        { new(CrossoverCount: -1), "crossover-count" },
        { new(MutationCount: 30, CrossoverCount: 21), "nas.strategies.spos-evolution.mutation-count + crossover-count = 51" },
        { new(MutationProbability: 0), "nas.strategies.spos-evolution.mutation-probability = 0" },
        { new(MutationProbability: -0.1), "nas.strategies.spos-evolution.mutation-probability" },
        { new(MutationProbability: 1.01), "nas.strategies.spos-evolution.mutation-probability" },
        { new(MutationProbability: double.NaN), "nas.strategies.spos-evolution.mutation-probability" },
        { new(MutationProbability: double.PositiveInfinity), "nas.strategies.spos-evolution.mutation-probability" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void SposEvolutionSettings_Validate_must_reject_bad_values_naming_the_key(SposEvolutionSettings settings, string expected)
    {
        var e = Assert.Throws<NasUserException>(settings.Validate);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void SposEvolutionSettings_Validate_must_name_population_size_in_the_top_k_message()
    {
        var e = Assert.Throws<NasUserException>(new SposEvolutionSettings(PopulationSize: 8, TopK: 9, MutationCount: 2, CrossoverCount: 2).Validate);
        Assert.Contains("population-size (8)", e.Message);
    }
}
