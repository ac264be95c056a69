using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;

namespace NasActors.Runtime.Tests.Support;

/// <summary>
/// Deterministic stand-in for the Torch LSTM policy (what a trainer backend offers as its <see cref="IPolicyBackend"/>
/// capability): a policy checkpoint is the hash of what produced it, sampling is uniform from the given rng, and every
/// call is recorded (with its thread). Policies created by several backends share the record and the metas. <see cref="Hook"/> runs first and may
/// block or throw.
/// </summary>
public sealed class FakePolicyFactory(SearchSpace space)
{
    public SearchSpace Space { get; } = space;
    public ConcurrentQueue<FakeCall> Calls { get; } = new();
    public ConcurrentDictionary<string, PolicyMeta> Metas { get; } = new();
    public ConcurrentQueue<(ImmutableArray<Architecture> Samples, ImmutableArray<double> Advantages, PolicyMeta Meta)> Updates { get; } = new();

    /// <summary>Runs at the start of every operation ("create", "init", "sample", "update").</summary>
    public Action<string>? Hook { get; set; }

    public int Count(string op) => Calls.Count(c => c.Op == op);

    internal void Enter(string op)
    {
        Calls.Enqueue(new FakeCall(op, "policy", Environment.CurrentManagedThreadId, Thread.CurrentThread.Name));
        Hook?.Invoke(op);
    }

    public IPolicyBackend CreatePolicy()
    {
        Enter("create");
        return new FakePolicy(this);
    }

    public static string UpdateHash(string policy, ImmutableArray<Architecture> samples, ImmutableArray<double> advantages, PolicyMeta meta) =>
        FakeBackendFactory.Hash(string.Create(CultureInfo.InvariantCulture,
            $"update|{policy}|{meta.Step}|{meta.Baseline:R}|{string.Join(",", samples.Select(s => s.Hash))}|{string.Join(",", advantages.Select(a => a.ToString("R", CultureInfo.InvariantCulture)))}"));
}

public sealed class FakePolicy(FakePolicyFactory factory) : IPolicyBackend
{
    public string Initialize(PolicyMeta meta)
    {
        factory.Enter("init");
        var hash = FakeBackendFactory.Hash("policy-init|" + meta.Rng);
        factory.Metas[hash] = meta;
        return hash;
    }

    public ImmutableArray<Architecture> Sample(string policy, int count, Xoshiro256 rng)
    {
        factory.Enter("sample");
        return [.. Enumerable.Range(0, count).Select(_ => factory.Space.Sample(rng))];
    }

    public PolicyUpdate Update(string policy, ImmutableArray<Architecture> samples, ImmutableArray<double> advantages, PolicyMeta meta)
    {
        factory.Enter("update");
        factory.Updates.Enqueue((samples, advantages, meta));
        var hash = FakePolicyFactory.UpdateHash(policy, samples, advantages, meta);
        factory.Metas[hash] = meta;
        return new PolicyUpdate(hash, advantages.Sum(), 1.5, 0.25);
    }

    public PolicyMeta ReadMeta(string policy) => factory.Metas[policy];

    public ImmutableArray<double> Probabilities(string policy, Architecture prefix, string choiceKey)
    {
        var n = factory.Space[choiceKey].Candidates.Length;
        return [.. Enumerable.Repeat(1.0 / n, n)];
    }

    public void Dispose() { }
}
