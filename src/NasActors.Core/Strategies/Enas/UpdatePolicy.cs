using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;

namespace NasActors.Core.Strategies.Enas;

/// <summary>One REINFORCE step on a rewarded batch (see <see cref="IPolicyBackend.Update"/>); the new policy carries <paramref name="Meta"/>.</summary>
[Manifest("nas.work.update-policy.v2")]
public sealed record UpdatePolicy(string Policy, ImmutableArray<Architecture> Samples, ImmutableArray<double> Advantages, PolicyMeta Meta, double MeanReward) : WorkItem
{
    public override string Key => $"policy/update/{Meta.Step}";

    public override WorkResult Execute(WorkContext context) =>
        new PolicyLearned(Key, Meta.Step, context.Need<IPolicyBackend>().Update(Policy, Samples, Advantages, Meta), Meta.Baseline, MeanReward);
}
