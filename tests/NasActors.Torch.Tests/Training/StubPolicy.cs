using System.Collections.Immutable;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;

namespace NasActors.Torch.Tests.Training;

/// <summary>
/// A test policy: samples uniformly from a stream mixed from the caller's rng and the policy string (so another policy
/// checkpoint samples other paths), or always returns <paramref name="fixedPath"/>. Records every Sample call.
/// </summary>
internal sealed class StubPolicy(SearchSpace space, Architecture? fixedPath = null) : IPolicyBackend
{
    public List<(string Policy, int Count, RngState Rng)> Calls { get; } = [];
    public bool Disposed { get; private set; }

    public ImmutableArray<Architecture> Sample(string policy, int count, Xoshiro256 rng)
    {
        Calls.Add((policy, count, rng.State));
        var result = ImmutableArray.CreateBuilder<Architecture>(count);
        for (var i = 0; i < count; i++)
        {
            var seed = unchecked((long)rng.NextUInt64());
            result.Add(fixedPath ?? space.Sample(Xoshiro256.FromSeed(Xoshiro256.Derive(seed, Mix(policy)))));
        }
        return result.MoveToImmutable();
    }

    private static long Mix(string s)
    {
        var h = 1469598103934665603UL; // FNV-1a
        foreach (var c in s) h = unchecked((h ^ c) * 1099511628211UL);
        return unchecked((long)h);
    }

    public string Initialize(PolicyMeta meta) => throw new NotSupportedException();
    public PolicyUpdate Update(string policy, ImmutableArray<Architecture> samples, ImmutableArray<double> advantages, PolicyMeta meta) => throw new NotSupportedException();
    public PolicyMeta ReadMeta(string policy) => throw new NotSupportedException();
    public ImmutableArray<double> Probabilities(string policy, Architecture prefix, string choiceKey) => throw new NotSupportedException();

    public void Dispose() => Disposed = true;
}
