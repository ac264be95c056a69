namespace NasActors.Core.Strategies.Random;

/// <summary>nas.strategies.random: <paramref name="Generations"/> batches of <paramref name="PopulationSize"/> uniform samples.</summary>
public sealed record RandomSettings(int PopulationSize, int Generations, int TopK);
