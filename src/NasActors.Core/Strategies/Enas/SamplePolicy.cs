using NasActors.Core.Engine;
using NasActors.Core.Randomness;
using NasActors.Core.Training;

namespace NasActors.Core.Strategies.Enas;

/// <summary>Draw <paramref name="Count"/> architectures from the policy with the RNG at <paramref name="Rng"/> (a training batch, or the final derive batch).</summary>
[Manifest("nas.work.sample-policy.v2")]
public sealed record SamplePolicy(string Policy, int Count, RngState Rng, long Step, bool Derive) : WorkItem
{
    public override string Key => Derive ? $"policy/derive/{Step}" : $"policy/sample/{Step}";

    public override WorkResult Execute(WorkContext context)
    {
        var rng = new Xoshiro256(Rng);
        var archs = context.Need<IPolicyBackend>().Sample(Policy, Count, rng);
        return new PolicySampled(Key, Step, Derive, archs, rng.State);
    }
}
