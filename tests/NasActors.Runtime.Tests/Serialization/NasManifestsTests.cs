using NasActors.Runtime.Hosting;
using NasActors.Runtime.Serialization;
using E = NasActors.Runtime.Experiment.ExperimentProtocol;

namespace NasActors.Runtime.Tests.Serialization;

public sealed class NasManifestsTests() : Akka.TestKit.Xunit2.TestKit(AkkaConfig.Quiet.WithFallback(AkkaConfig.Serialization), "manifests")
{
    [Fact]
    public void NasManifests_must_register_every_concrete_INasSerializable_type()
    {
        var missing = typeof(INasSerializable).Assembly.GetTypes()
            .Where(t => typeof(INasSerializable).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Where(t => !NasManifests.All.Values.Contains(t)).Select(t => t.FullName).Order().ToList();
        Assert.Empty(missing);
    }

}
