using NasActors.Core.Engine;
using NasActors.Core.Training;

namespace NasActors.Core.Strategies.Enas;

/// <summary>Create the controller policy from the seed with <paramref name="Meta"/> (step 0, the sampling RNG's initial state).</summary>
[Manifest("nas.work.init-policy.v2")]
public sealed record InitPolicy(PolicyMeta Meta) : WorkItem
{
    public override string Key => "policy/init";

    public override WorkResult Execute(WorkContext context) => new PolicyCreated(Key, context.Need<IPolicyBackend>().Initialize(Meta));
}
