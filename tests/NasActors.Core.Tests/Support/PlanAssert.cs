using NasActors.Core.Engine;
using NasActors.Core.OneShot;
using NasActors.Core.Strategies.Darts;
using NasActors.Core.Strategies.Enas;
using NasActors.Core.Strategies.Population;

namespace NasActors.Core.Tests.Support;

/// <summary>Content comparisons of plan states, events and statuses (records holding ImmutableArrays do not compare structurally).</summary>
public static class PlanAssert
{
    public static void SameEvents(IEnumerable<PlanEvent> expected, IEnumerable<PlanEvent> actual)
    {
        List<string> e = Canon.All(expected), a = Canon.All(actual);
        Assert.Equal(e.Count, a.Count);
        for (var i = 0; i < e.Count; i++) Assert.True(e[i] == a[i], $"event {i} differs:\n expected {e[i]}\n actual   {a[i]}");
    }

    public static void SameStatus(PlanStatus expected, PlanStatus actual) => Assert.Equal(Canon.Of(expected), Canon.Of(actual));

    /// <summary>Same status and, for the built-in plans, the same state field by field.</summary>
    public static void SameState(IPlan plan, object expected, object actual)
    {
        SameStatus(plan.Status(expected), plan.Status(actual));
        switch (expected, actual)
        {
            case (PopulationPlanState e, PopulationPlanState a):
                SameSupernet(e.Supernet, a.Supernet);
                SearchAssert.SameState(e.Search, a.Search);
                SameFinal(e.Final, a.Final);
                break;
            case (EnasPlanState e, EnasPlanState a):
                SameSupernet(e.Supernet, a.Supernet);
                SameController(e.Controller, a.Controller);
                SameFinal(e.Final, a.Final);
                break;
            case (DartsPlanState e, DartsPlanState a):
                SameSupernet(e.Supernet, a.Supernet);
                Assert.Equal(e.Epochs.Select(Canon.Of), a.Epochs.Select(Canon.Of));
                SameFinal(e.Final, a.Final);
                break;
            default:
                Assert.Equal(expected.GetType(), actual.GetType());
                break;
        }
    }

    public static void SameSupernet(SupernetState e, SupernetState a)
    {
        Assert.Equal(e.RoundsDone, a.RoundsDone);
        Assert.Equal(e.Checkpoint, a.Checkpoint);
        Assert.Equal(e.RoundSlices.ToArray(), a.RoundSlices.ToArray());
        Assert.Equal(e.ImagesTrained, a.ImagesTrained);
        Assert.True(e.LastLoss.Equals(a.LastLoss), $"last loss {e.LastLoss} != {a.LastLoss}");
        Assert.True(e.LastAccuracy.Equals(a.LastAccuracy), $"last accuracy {e.LastAccuracy} != {a.LastAccuracy}");
    }

    public static void SameFinal(FinalState e, FinalState a)
    {
        Assert.Equal(e.Top is null, a.Top is null);
        if (e.Top is { } et) Assert.Equal(et.AsEnumerable(), a.Top!.Value.AsEnumerable());
        Assert.Equal(e.Test, a.Test);
        Assert.Equal(e.Retrained, a.Retrained);
    }

    public static void SameController(ReinforceState e, ReinforceState a)
    {
        Assert.Equal(e.Policy, a.Policy);
        Assert.Equal(e.Step, a.Step);
        Assert.Equal(e.Baseline, a.Baseline);
        Assert.Equal(e.Rng, a.Rng);
        Assert.Equal(e.NextRolloutId, a.NextRolloutId);
        Assert.Equal(e.Pending.AsEnumerable(), a.Pending.AsEnumerable());
        Assert.Equal(e.Rewards.ToArray(), a.Rewards.ToArray());
        Assert.Equal(e.Deriving, a.Deriving);
        Assert.Equal(e.Last, a.Last);
    }

    /// <summary>Folding the journal over Initial gives, after every event, the state the live run had then.</summary>
    /// <summary>
    /// A run crashed after each of <paramref name="cuts"/> journaled events (the driver is deterministic: the live run's
    /// first ones; one cut is made by a real stopped run) and resumed with a fresh plan ends with the live run's events
    /// and state.
    /// </summary>
    public static void ResumesLikeTheLiveRun<TState>(Func<Plan<TState>> plan, Func<FakeBackend> backend, DriverOptions options, PlanRun live, IEnumerable<int> cuts)
        where TState : class
    {
        var n = live.Events.Count;
        foreach (var cut in cuts.Distinct())
        {
            var journal = cut == n / 2 ? PlanDriver.Run(plan(), backend(), options with { StopAfterEvents = cut }).Events : live.Events.Take(cut).ToList();
            SameEvents(live.Events.Take(cut), journal);
            var fresh = plan();
            var resumed = PlanDriver.Resume(fresh, backend(), journal, cut, options);
            Assert.True(resumed.Finished, $"cut {cut}: ended with {resumed.End}");
            SameEvents(live.Events, resumed.Events);
            SameState(fresh, live.Final, resumed.Final);
        }
    }

    public static void ReplaysEveryState(IPlan plan, PlanRun run)
    {
        Assert.Equal(0, run.Resumed);
        var state = plan.Initial;
        SameState(plan, run.Initial, state);
        for (var i = 0; i < run.Events.Count; i++)
        {
            state = plan.Apply(state, run.Events[i]);
            SameState(plan, run.States[i], state);
        }
    }
}
