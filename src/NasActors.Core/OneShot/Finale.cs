using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

/// <summary>The end of every search: test the best candidate with the shared weights, then (nas.retrain) retrain it from scratch.</summary>
public sealed class Finale(long retrainSteps)
{
    public long RetrainSteps { get; } = retrainSteps;

    /// <summary>Null while the search has no result yet.</summary>
    public PlanStep? Next(FinalState s, string? checkpoint)
    {
        if (s.Top is not { } top) return null;
        if (top.IsEmpty) return new PlanStep.Fail("the search result is empty; nothing to test", true);
        if (s.Test is null)
            return checkpoint is null
                ? new PlanStep.Fail("the search has no shared weights to test its result with", false)
                : PlanStep.Do([new ScoreRollout(top[0].Rollout, checkpoint, EvalSplit.Test)]);
        if (RetrainSteps > 0 && s.Retrained is null) return PlanStep.Do([new RetrainRollout(top[0].Rollout, RetrainSteps)]);
        return PlanStep.Finish.Instance;
    }

    /// <summary>Events for a test or retrain result; empty when stale; null for any other result.</summary>
    public ImmutableArray<PlanEvent>? OnResult(FinalState s, WorkResult result) => result switch
    {
        RolloutScored { Split: EvalSplit.Test } r when s.Top is { IsEmpty: false } t && s.Test is null && r.Id == t[0].Rollout.Id =>
            [new TestCompleted(r.Id, r.Metrics)],
        RolloutScored { Split: EvalSplit.Test } => [],
        RolloutRetrained r when RetrainSteps > 0 && s.Test is not null && s.Retrained is null && r.Id == s.Top!.Value[0].Rollout.Id =>
            [new RetrainCompleted(r.Id, RetrainSteps, r.Metrics)],
        RolloutRetrained => [],
        _ => null,
    };

    public static FinalState? Apply(FinalState s, PlanEvent e) => e switch
    {
        SearchCompleted c when s.Top is null => s with { Top = c.Top },
        TestCompleted t when s.Test is null => s with { Test = new TestResult(t.Id, t.Metrics) },
        RetrainCompleted r when s.Retrained is null => s with { Retrained = new RetrainResult(r.Id, r.Steps, r.Metrics) },
        SearchCompleted or TestCompleted or RetrainCompleted => s,
        _ => null,
    };

    /// <summary>The phase name once the search has a result; null before.</summary>
    public string? Phase(FinalState s) =>
        s.Top is null ? null : s.Test is null ? "test" : RetrainSteps > 0 && s.Retrained is null ? "retrain" : "finished";
}
