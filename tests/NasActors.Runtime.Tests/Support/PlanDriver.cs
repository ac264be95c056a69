using NasActors.Core.Engine;
using NasActors.Core.Training;

namespace NasActors.Runtime.Tests.Support;

/// <summary>
/// A plan driven directly, without actors or a journal: each step's work done in the plan's order on one backend and
/// its results fed back at once. What an uninterrupted search computes, to compare the runtime with.
/// </summary>
public static class PlanDriver
{
    public static PlanStatus Run(IPlan plan, ITrainerBackend backend, int maxSteps = 100_000)
    {
        var state = plan.Initial;
        var context = new WorkContext(backend, _ => { }, CancellationToken.None);
        for (var i = 0; i < maxSteps; i++)
            switch (plan.Next(state))
            {
                case PlanStep.Emit emit:
                    foreach (var e in emit.Events) state = plan.Apply(state, e);
                    break;
                case PlanStep.Run run:
                    foreach (var work in run.Work)
                        foreach (var e in plan.OnResult(state, work.Execute(context)))
                            state = plan.Apply(state, e);
                    break;
                case PlanStep.Finish:
                    return plan.Status(state);
                case PlanStep.Fail f:
                    throw new InvalidOperationException("the plan failed: " + f.Reason);
            }
        throw new InvalidOperationException($"the plan did not finish in {maxSteps} steps");
    }
}
