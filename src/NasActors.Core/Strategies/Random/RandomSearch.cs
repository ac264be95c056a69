using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Strategies.Random;

/// <summary>The honest baseline: <c>generations × batchSize</c> distinct uniform samples within the limits.</summary>
public sealed class RandomSearch(SearchSpace space, Constraints constraints, long seed, int generations, int batchSize, int topK = 10)
    : PopulationStrategy(space, constraints, seed, generations, topK)
{
    public override string Name => "random";

    protected override void Fill(SearchState state, Batch batch, Xoshiro256 rng)
    {
        while (batch.Count < batchSize)
        {
            var a = SampleAdmissible(batch, rng, maxTries: 20_000);
            if (a is null) break; // space exhausted under the limits
            batch.TryAdd(a, $"gen {batch.Generation} random");
        }
    }
}
