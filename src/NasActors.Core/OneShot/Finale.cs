using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

/// <summary>The end of every search: test the best candidate with the shared weights, then (nas.retrain) retrain it from scratch.</summary>
public sealed class Finale(RetrainSettings retrain)
{
    private readonly RetrainSchedule _retrain = new(retrain);

    public RetrainSettings Retrain => retrain;

    /// <summary>Null while the search has no result yet.</summary>
    public PlanStep? Next(FinalState s, string? checkpoint)
    {
        if (s.Top is not { } top) return null;
        if (top.IsEmpty) return new PlanStep.Fail("the search result is empty; nothing to test", true);
        if (s.Test is null)
            return checkpoint is null
                ? new PlanStep.Fail("the search has no shared weights to test its result with", false)
                : PlanStep.Do([new ScoreRollout(top[0].Rollout, checkpoint, EvalSplit.Test)]);
        if (retrain.Enabled && _retrain.Next(s.Retrain, top[0].Rollout) is { } step) return step;
        return PlanStep.Finish.Instance;
    }

    /// <summary>Events for a test or retrain result; empty when stale; null for any other result.</summary>
    public ImmutableArray<PlanEvent>? OnResult(FinalState s, WorkResult result)
    {
        switch (result)
        {
            case RolloutScored { Split: EvalSplit.Test } r when s.Top is { IsEmpty: false } t && s.Test is null && r.Id == t[0].Rollout.Id:
                return [new TestCompleted(r.Id, r.Metrics)];
            case RolloutScored { Split: EvalSplit.Test }:
                return [];
        }
        if (s.Top is { IsEmpty: false } top && s.Test is not null && retrain.Enabled)
            return _retrain.OnResult(s.Retrain, top[0].Rollout.Id, result);
        return result is RetrainEpochTrained or RetrainSlotsMerged or RetrainTested ? [] : null;
    }

    public static FinalState? Apply(FinalState s, PlanEvent e)
    {
        if (RetrainSchedule.Apply(s.Retrain, e) is { } r) return s with { Retrain = r };
        return e switch
        {
            SearchCompleted c when s.Top is null => s with { Top = c.Top },
            TestCompleted t when s.Test is null => s with { Test = new TestResult(t.Id, t.Metrics) },
            SearchCompleted or TestCompleted => s,
            _ => null,
        };
    }

    public static ImmutableArray<string> Released(FinalState before, PlanEvent e) => RetrainSchedule.Released(before.Retrain, e);

    /// <summary>The phase name once the search has a result; null before.</summary>
    public string? Phase(FinalState s) =>
        s.Top is null ? null : s.Test is null ? "test" : retrain.Enabled && s.Retrain.Result is null ? "retrain" : "finished";

    /// <summary>The retraining's epoch counter, when there is one.</summary>
    public IEnumerable<PlanCounter> Counters(FinalState s) => retrain.Enabled ? [_retrain.Counter(s.Retrain)] : [];

    public static IEnumerable<KeyValuePair<string, double>> Figures(FinalState s) => RetrainSchedule.Figures(s.Retrain);
}
