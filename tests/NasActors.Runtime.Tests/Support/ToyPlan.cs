using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using NasActors.Core.Engine;
using NasActors.Core.Randomness;
using NasActors.Core.Training;
using NasActors.Runtime.Serialization;

namespace NasActors.Runtime.Tests.Support;

// A fake strategy that brings its own kind of work, result and events (manifests "test.*"), to test the generic
// scheduler with something it cannot know: batches of random tokens, each token a work item whose result is a number
// only a backend with the toy's own capability (IToyOracle) computes. The tokens of a batch are drawn from an RNG the
// plan's state owns and journals (BatchOpened carries the RNG after the draw), so a resumed run proposes exactly what
// an uninterrupted one would.

/// <summary>The capability a toy work item needs of a trainer's backend.</summary>
public interface IToyOracle
{
    long Compute(string token);
}

[Manifest("test.toy.work.v1")]
public sealed record ToyWork(int Batch, string Token) : WorkItem
{
    public override string Key => $"toy/{Batch}/{Token}";

    public override WorkResult Execute(WorkContext context) => new ToyDone(Key, Batch, Token, context.Need<IToyOracle>().Compute(Token));
}

[Manifest("test.toy.done.v1")]
public sealed record ToyDone(string Key, int Batch, string Token, long Value) : WorkResult(Key);

[Manifest("test.toy.batch-opened.v1")]
public sealed record BatchOpened(int Batch, ImmutableArray<string> Tokens, RngState RngAfter) : PlanEvent;

[Manifest("test.toy.value-recorded.v1")]
public sealed record ValueRecorded(int Batch, string Token, long Value) : PlanEvent;

/// <param name="Opened">Batches opened so far; the open one is number Opened - 1.</param>
/// <param name="Recorded">Values recorded for the open batch, by token.</param>
public sealed record ToyState(int Opened, ImmutableArray<string> Open, ImmutableSortedDictionary<string, long> Recorded, long Total, int Values, RngState Rng)
{
    public bool BatchComplete => Open.All(Recorded.ContainsKey);
}

/// <summary>
/// <paramref name="batches"/> batches of <paramref name="perBatch"/> tokens; then it finishes, or fails with
/// <paramref name="failReason"/>. Every call of <see cref="Next"/> and <see cref="Apply"/> is traced, and
/// <see cref="OnNext"/> runs at the start of each <see cref="Next"/> (on the experiment's thread).
/// </summary>
public sealed class ToyPlan(int batches, int perBatch, long seed, string? failReason = null, bool failAsUserError = true) : Plan<ToyState>
{
    public const string Name = "toy";

    public ConcurrentQueue<string> Trace { get; } = new();
    public Action<ToyState>? OnNext { get; set; }

    public override string Strategy => Name;

    public override ToyState Initial => new(0, [], ImmutableSortedDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal), 0, 0, Xoshiro256.StateFromSeed(seed));

    /// <summary>What the oracle computes: a pure function of the token.</summary>
    public static long ValueOf(string token) => long.Parse(FakeBackendFactory.Hash("toy|" + token)[..8], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>The result a trainer reports for <paramref name="w"/>.</summary>
    public static ToyDone Done(ToyWork w) => new(w.Key, w.Batch, w.Token, ValueOf(w.Token));

    /// <summary>The tokens of every batch, drawn as the plan draws them.</summary>
    public ImmutableArray<ImmutableArray<string>> AllTokens()
    {
        var rng = new Xoshiro256(Initial.Rng);
        return [.. Enumerable.Range(0, batches).Select(_ => Draw(rng))];
    }

    private ImmutableArray<string> Draw(Xoshiro256 rng) =>
        [.. Enumerable.Range(0, perBatch).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i}-{rng.NextUInt64() % 1_000_000:D6}"))];

    public override PlanStep Next(ToyState s)
    {
        OnNext?.Invoke(s);
        Trace.Enqueue("next");
        if (s.Opened > 0 && !s.BatchComplete)
            return PlanStep.Do(s.Open.Where(t => !s.Recorded.ContainsKey(t)).Select(t => new ToyWork(s.Opened - 1, t)));
        if (s.Opened == batches)
            return failReason is null ? PlanStep.Finish.Instance : new PlanStep.Fail(failReason, failAsUserError);
        var rng = new Xoshiro256(s.Rng);
        return PlanStep.Record(new BatchOpened(s.Opened, Draw(rng), rng.State));
    }

    public override ImmutableArray<PlanEvent> OnResult(ToyState s, WorkResult result) => result switch
    {
        ToyDone d when s.Opened > 0 && d.Batch == s.Opened - 1 && s.Open.Contains(d.Token) && !s.Recorded.ContainsKey(d.Token) =>
            [new ValueRecorded(d.Batch, d.Token, d.Value)],
        _ => [],
    };

    public override ToyState Apply(ToyState s, PlanEvent e)
    {
        Trace.Enqueue(e switch
        {
            BatchOpened b => $"apply opened {b.Batch}",
            ValueRecorded v => $"apply recorded {v.Batch}/{v.Token}",
            _ => "apply " + e.GetType().Name,
        });
        return e switch
        {
            BatchOpened b when b.Batch == s.Opened => s with { Opened = s.Opened + 1, Open = b.Tokens, Recorded = s.Recorded.Clear(), Rng = b.RngAfter },
            ValueRecorded v when v.Batch == s.Opened - 1 && !s.Recorded.ContainsKey(v.Token) =>
                s with { Recorded = s.Recorded.Add(v.Token, v.Value), Total = s.Total + v.Value, Values = s.Values + 1 },
            BatchOpened or ValueRecorded => s,
            _ => throw new InvalidOperationException($"plan {Name} has no event {e.GetType().Name}"),
        };
    }

    /// <summary>Opening a batch makes the previous batch's "checkpoint" obsolete.</summary>
    public override ImmutableArray<string> Released(ToyState before, PlanEvent e) =>
        e is BatchOpened b && b.Batch > 0 ? [$"batch-{b.Batch - 1}"] : [];

    public override PlanStatus Status(ToyState s)
    {
        var finished = s.Opened == batches && s.BatchComplete;
        return new PlanStatus(Name, finished ? "finished" : "batch", finished && failReason is null, [], s.Values, null, null, null,
            [new PlanCounter("batch", s.Opened, batches), new PlanCounter("value", s.Values, (long)batches * perBatch)],
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("total", (double)s.Total)]));
    }
}

/// <summary>A backend that offers only the toy's capability (no supernet training, no scoring).</summary>
public sealed class ToyBackendFactory(Core.SearchSpaces.SearchSpace space) : ITrainerBackendFactory
{
    public Core.SearchSpaces.SearchSpace Space => space;
    public Core.Experiments.ICostModel Costs { get; } = Spaces.CostsOf(space);
    public ConcurrentQueue<string> Computed { get; } = new();

    public ITrainerBackend Create(string device) => new Backend(this, device);

    private sealed class Backend(ToyBackendFactory owner, string device) : ITrainerBackend, IToyOracle
    {
        public string Device => device;

        public long Compute(string token)
        {
            owner.Computed.Enqueue(token);
            return ToyPlan.ValueOf(token);
        }

        public void Dispose() { }
    }
}

/// <summary>Registers this assembly's [Manifest] records (the toy's) with the serializer before any ActorSystem starts.</summary>
internal static class TestManifests
{
    [ModuleInitializer]
    internal static void Register() => NasManifests.AddAssembly(typeof(TestManifests).Assembly);
}
