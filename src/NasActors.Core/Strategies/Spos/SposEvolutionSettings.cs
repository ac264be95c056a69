namespace NasActors.Core.Strategies.Spos;

/// <summary>
/// SPOS evolutionary search parameters. The paper (Guo et al. 2020, and its official code) uses population 50,
/// 20 generations, top 10 parents, 25 mutations with per-choice probability 0.1 and 25 crossovers per generation;
/// the defaults in reference.conf scale these down for 2 CPU cores.
/// </summary>
public sealed record SposEvolutionSettings(
    int PopulationSize = 50,
    int Generations = 20,
    int TopK = 10,
    int MutationCount = 25,
    double MutationProbability = 0.1,
    int CrossoverCount = 25,
    long Seed = 0)
{
    /// <summary>Throws <see cref="NasUserException"/> naming the bad setting.</summary>
    public void Validate()
    {
        static void Require(bool ok, string msg) { if (!ok) throw new NasUserException(msg); }
        Require(PopulationSize >= 1, $"nas.strategies.spos-evolution.population-size = {PopulationSize} must be at least 1");
        Require(Generations >= 1, $"nas.strategies.spos-evolution.generations = {Generations} must be at least 1");
        Require(TopK >= 1 && TopK <= PopulationSize, $"nas.strategies.spos-evolution.top-k = {TopK} must be between 1 and population-size ({PopulationSize})");
        Require(MutationCount >= 0 && CrossoverCount >= 0 && MutationCount + CrossoverCount <= PopulationSize,
            $"nas.strategies.spos-evolution.mutation-count + crossover-count = {MutationCount + CrossoverCount} must be between 0 and population-size ({PopulationSize})");
        Require(MutationProbability is > 0 and <= 1, $"nas.strategies.spos-evolution.mutation-probability = {MutationProbability} must be in (0, 1]");
    }
}
