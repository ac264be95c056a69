namespace NasActors.Core.Strategies.RegularizedEvolution;

/// <summary>
/// nas.strategies.regularized-evolution: aging evolution (Real et al. 2019) in batches for parallel trainers. Generation 0
/// holds <paramref name="PopulationSize"/> uniform samples; each later one holds <paramref name="Batch"/> children (the
/// last one the remainder), <paramref name="Cycles"/> children in all, so <c>PopulationSize + Cycles</c> candidates are
/// scored. Real et al. use population 100, sample 25; NNI's RegularizedEvolution defaults to the same with
/// mutation_prob 0.05.
/// </summary>
/// <param name="PopulationSize">The population: the most recent this-many scored candidates (P).</param>
/// <param name="SampleSize">Tournament size: members drawn (without replacement) from the population; the best is the parent (S).</param>
/// <param name="Cycles">Children made by mutation after the initial population (C; Real et al. and NNI count the initial population in it too).</param>
/// <param name="Batch">Children per generation: how many are scored in parallel before the population moves on.</param>
/// <param name="MutationProbability">Each choice of the parent is resampled with this probability (at least one changes).</param>
/// <param name="TopK">Best candidates of the whole search kept as its result.</param>
public sealed record RegularizedEvolutionSettings(int PopulationSize, int SampleSize, int Cycles, int Batch, double MutationProbability, int TopK)
{
    private const string Section = "nas.strategies.regularized-evolution";

    /// <summary>Generation 0 (the population) plus ceil(cycles / batch) generations of children.</summary>
    public int Generations => 1 + (int)((Cycles + (long)Batch - 1) / Batch);

    /// <summary>Candidates scored when the space does not run dry: the population plus one child per cycle.</summary>
    public int Candidates => PopulationSize + Cycles;

    /// <summary>Children in generation <paramref name="generation"/> (≥ 1): a full batch, the last one what is left of the cycles.</summary>
    public int Children(int generation) => (int)Math.Min(Batch, Math.Max(0, Cycles - (long)(generation - 1) * Batch));

    /// <summary>Throws <see cref="NasUserException"/> naming the bad setting.</summary>
    public void Validate()
    {
        static void Require(bool ok, string msg) { if (!ok) throw new NasUserException(msg); }
        Require(PopulationSize >= 1, $"{Section}.population-size = {PopulationSize} must be at least 1");
        Require(SampleSize >= 1 && SampleSize <= PopulationSize,
            $"{Section}.sample-size = {SampleSize} must be between 1 and population-size ({PopulationSize})");
        Require(Cycles >= 0, $"{Section}.cycles = {Cycles} must be 0 or more");
        Require(Batch >= 1, $"{Section}.batch = {Batch} must be at least 1");
        Require((long)PopulationSize + Cycles <= int.MaxValue / 2, $"{Section}.population-size + cycles = {(long)PopulationSize + Cycles} is too large");
        Require(MutationProbability is >= 0 and <= 1, $"{Section}.mutation-probability = {MutationProbability} must be in [0, 1]");
        Require(TopK >= 1 && TopK <= PopulationSize + Cycles,
            $"{Section}.top-k = {TopK} must be between 1 and the {PopulationSize + Cycles} candidates scored (population-size + cycles)");
    }
}
