using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.OneShot;
using NasActors.Core.Randomness;
using NasActors.Core.Strategies.Darts;
using NasActors.Core.Strategies.Enas;

namespace NasActors.Core.Tests.Support;

/// <summary>How <see cref="PlanDriver"/> schedules work and delivers results.</summary>
/// <param name="OrderSeed">Null: the work Next asks for is done in the order it is listed. Otherwise a pseudo-random item of
/// it, chosen from the seed, the journal's length and the results since the last event only, so a run resumed from a
/// journal prefix chooses exactly as the uninterrupted run did.</param>
/// <param name="Duplicates">Deliver every result twice, and after each one a few earlier results again (late and stale
/// ones from finished phases); each of those must yield no event.</param>
/// <param name="StopAfterEvents">Stop (a crash) once the journal holds this many events.</param>
public sealed record DriverOptions(long? OrderSeed = null, bool Duplicates = false, int? StopAfterEvents = null, int MaxSteps = 200_000)
{
    public static readonly DriverOptions InOrder = new();
    public static DriverOptions Shuffled(long seed, bool duplicates = true) => new(seed, duplicates);
}

/// <summary>One driven run: the journal, the state after each event, the work done and how it ended.</summary>
public sealed class PlanRun
{
    /// <summary>The journal: the prefix the run resumed from, then the events it recorded.</summary>
    public List<PlanEvent> Events { get; } = [];

    /// <summary>The state after each event of <see cref="Events"/> recorded by this run (a resumed run's prefix has none).</summary>
    public List<object> States { get; } = [];

    public required object Initial { get; init; }
    public required int Resumed { get; init; }
    public object Final => States.Count == 0 ? Initial : States[^1];

    /// <summary>Finish or Fail; null when the run was stopped.</summary>
    public PlanStep? End { get; set; }

    /// <summary>Work executed (fresh, not duplicates), in order.</summary>
    public List<WorkItem> Executed { get; } = [];

    /// <summary>Results delivered again (duplicates and stale ones), all of which yielded no event.</summary>
    public int Redelivered { get; set; }

    /// <summary>Checkpoints the plan released, in order.</summary>
    public List<string> Released { get; } = [];

    public IEnumerable<T> EventsOf<T>() where T : PlanEvent => Events.OfType<T>();

    public bool Finished => End is PlanStep.Finish;
}

/// <summary>
/// Runs any <see cref="IPlan"/> to its end the way the experiment's scheduler does: Next; Emit → journal and apply the
/// events; Run → execute one of the requested work items on a <see cref="FakeBackend"/> and feed its result back through
/// OnResult, journaling and applying what that returns; Finish or Fail → done. Checks as it goes what every plan owes
/// the scheduler: decisions are non-empty, requested work is non-empty with distinct keys, a fresh result of requested
/// work makes progress, a repeated or stale result yields nothing, and no work uses a checkpoint the plan has released.
/// </summary>
public static class PlanDriver
{
    public static PlanRun Run(IPlan plan, FakeBackend backend, DriverOptions? options = null, object? from = null, IReadOnlyList<PlanEvent>? journal = null)
    {
        options ??= DriverOptions.InOrder;
        var state = from ?? plan.Initial;
        var run = new PlanRun { Initial = state, Resumed = journal?.Count ?? 0 };
        if (journal is not null) run.Events.AddRange(journal);
        var released = new HashSet<string>(StringComparer.Ordinal);
        var history = new List<WorkResult>();
        var dupRng = Xoshiro256.FromSeed(options.OrderSeed ?? 0x0d0b1e);
        var context = new WorkContext(backend, _ => { }, CancellationToken.None);
        var sinceEvent = 0;

        bool Stopped() => options.StopAfterEvents is { } k && run.Events.Count >= k;

        void Journal(PlanEvent e)
        {
            var gone = plan.Released(state, e);
            state = plan.Apply(state, e);
            run.Events.Add(e);
            run.States.Add(state);
            foreach (var c in gone) if (released.Add(c)) run.Released.Add(c);
            sinceEvent = 0;
        }

        void Redeliver(WorkResult r)
        {
            var events = plan.OnResult(state, r);
            Assert.True(events.IsEmpty, $"result {r.Key} delivered again yielded {string.Join(", ", events.Select(Canon.Of))}");
            run.Redelivered++;
        }

        for (var step = 0; step < options.MaxSteps; step++)
        {
            if (Stopped()) return run;
            var next = plan.Next(state);
            switch (next)
            {
                case PlanStep.Emit emit:
                    Assert.False(emit.Events.IsEmpty, "Next emitted no events: the scheduler would ask again forever");
                    foreach (var e in emit.Events)
                    {
                        Journal(e);
                        if (Stopped()) return run;
                    }
                    break;

                case PlanStep.Run work:
                {
                    Assert.False(work.Work.IsEmpty, "Next asked for no work: the scheduler would wait forever");
                    var keys = work.Work.Select(w => w.Key).ToList();
                    Assert.True(keys.Distinct().Count() == keys.Count, $"work with the same key twice: {string.Join(", ", keys)}");
                    foreach (var w in work.Work)
                        foreach (var c in Uses(w))
                            Assert.False(released.Contains(c), $"{w.Key} uses checkpoint {c}, which the plan released");
                    var pick = options.OrderSeed is { } seed
                        ? new Xoshiro256(Xoshiro256.StateFromSeed(Xoshiro256.Derive(seed, run.Events.Count, sinceEvent))).NextInt(work.Work.Length)
                        : 0;
                    var item = work.Work[pick];
                    var result = item.Execute(context);
                    Assert.Equal(item.Key, result.Key);
                    run.Executed.Add(item);
                    sinceEvent++;
                    var events = plan.OnResult(state, result);
                    Assert.False(events.IsEmpty, $"the result of requested work {item.Key} yielded no event: the scheduler would ask for it forever");
                    foreach (var e in events)
                    {
                        Journal(e);
                        if (Stopped()) return run;
                    }
                    if (options.Duplicates)
                    {
                        Redeliver(result);
                        for (var i = dupRng.NextInt(3); i > 0 && history.Count > 0; i--) Redeliver(history[dupRng.NextInt(history.Count)]);
                    }
                    history.Add(result);
                    break;
                }

                case PlanStep.Finish or PlanStep.Fail:
                    run.End = next;
                    return run;

                default:
                    throw new InvalidOperationException("unknown plan step");
            }
        }
        throw new InvalidOperationException($"plan {plan.Strategy} did not end within {options.MaxSteps} steps");
    }

    /// <summary>The checkpoints (weights or policies) a built-in work item reads.</summary>
    public static IEnumerable<string> Uses(WorkItem w) => w switch
    {
        TrainSlice t => new[] { t.Slice.FromCheckpoint, t.Slice.Policy }.OfType<string>(),
        TrainMixedSlice t => new[] { t.Slice.FromCheckpoint }.OfType<string>(),
        ReadArchitectureWeights r => [r.Checkpoint],
        MergeSlices m => m.Checkpoints,
        ScoreRollout s => [s.Checkpoint],
        RewardRollout r => [r.Checkpoint],
        SamplePolicy p => [p.Policy],
        UpdatePolicy u => [u.Policy],
        RetrainEpoch r => new[] { r.FromCheckpoint }.OfType<string>(),
        MergeRetrainSlots m => m.Checkpoints,
        RetrainTest t => [t.Checkpoint],
        _ => [],
    };

    /// <summary>A crash after <paramref name="cut"/> events: a fresh plan replays the journal prefix, then runs on.</summary>
    public static PlanRun Resume<TState>(Plan<TState> fresh, FakeBackend backend, IReadOnlyList<PlanEvent> events, int cut, DriverOptions options)
        where TState : class
    {
        var prefix = events.Take(cut).ToList();
        return Run(fresh, backend, options with { StopAfterEvents = null }, fresh.Replay(prefix), prefix);
    }

    /// <summary>The phase after each event, consecutive repeats collapsed: the plan's course.</summary>
    public static List<string> Phases(IPlan plan, PlanRun run)
    {
        var phases = new List<string> { plan.Status(run.Initial).Phase };
        foreach (var s in run.States)
        {
            var p = plan.Status(s).Phase;
            if (p != phases[^1]) phases.Add(p);
        }
        return phases;
    }

    public static ImmutableArray<PlanEvent> Journal(PlanRun run) => [.. run.Events];
}
