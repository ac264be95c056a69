using System.Reflection;
using NasActors.Core.Engine;
using NasActors.Runtime.Serialization;
using NasActors.Runtime.Tests.Support;

namespace NasActors.Runtime.Tests.Serialization;

public sealed class NasManifestsTests
{
    /// <summary>The open kinds a plan brings, in NasActors.Core and in this assembly (the fake strategy's).</summary>
    private static IEnumerable<Type> PlanKinds() =>
        new[] { typeof(PlanEvent).Assembly, typeof(ToyPlan).Assembly }.SelectMany(a => a.GetTypes())
            .Where(t => t is { IsAbstract: false, IsInterface: false }
                        && (typeof(WorkItem).IsAssignableFrom(t) || typeof(WorkResult).IsAssignableFrom(t) || typeof(PlanEvent).IsAssignableFrom(t)))
            .Where(t => t.DeclaringType is null); // a test's own nested unregistered kinds are not plan kinds

    [Fact]
    public void NasManifests_must_register_every_concrete_INasSerializable_type()
    {
        var missing = typeof(INasSerializable).Assembly.GetTypes()
            .Where(t => typeof(INasSerializable).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Where(t => !NasManifests.All.Values.Contains(t)).Select(t => t.FullName).Order().ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void NasManifests_must_find_every_work_result_and_event_kind_by_its_Manifest_attribute()
    {
        var kinds = PlanKinds().ToList();
        Assert.Contains(typeof(ToyWork), kinds);
        Assert.True(kinds.Count >= 26 + 4, $"{kinds.Count} kinds");
        foreach (var t in kinds)
        {
            var m = t.GetCustomAttribute<ManifestAttribute>();
            Assert.True(m is not null, $"{t.FullName} has no [Manifest]");
            Assert.Equal(t, NasManifests.All[m!.Name]);
            // Plan events are journaled; work and results are messages (which may cross nodes, so they are size-checked).
            Assert.Equal(typeof(PlanEvent).IsAssignableFrom(t), NasManifests.Persisted.ContainsKey(m.Name));
            Assert.Equal(!typeof(PlanEvent).IsAssignableFrom(t), NasManifests.Messages.ContainsKey(m.Name));
        }
    }

    [Fact]
    public void NasManifests_must_be_unique_and_versioned()
    {
        Assert.Equal(NasManifests.Persisted.Count + NasManifests.Messages.Count, NasManifests.All.Count); // no name in both parts
        Assert.Equal(NasManifests.All.Count, NasManifests.All.Values.Distinct().Count()); // one name per type
        var attributes = PlanKinds().Select(t => t.GetCustomAttribute<ManifestAttribute>()!.Name).ToList();
        Assert.Equal(attributes.Count, attributes.Distinct().Count());
        Assert.All(NasManifests.All.Keys, m => Assert.Matches(@"^(nas|test)\.[a-z0-9.-]+\.v[0-9]+$", m));
        // The one engine's records are all new names: nothing of format 1 is read as if it were of this format.
        Assert.All(PlanKinds().Where(t => t.Assembly == typeof(PlanEvent).Assembly), t => Assert.EndsWith(".v2", t.GetCustomAttribute<ManifestAttribute>()!.Name));
        Assert.DoesNotContain(NasManifests.All.Keys, m => m.StartsWith("nas.population.", StringComparison.Ordinal) || m.StartsWith("nas.controller.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("nas.experiment.started.v1", true)]
    [InlineData("nas.experiment.snapshot.v1", true)]
    [InlineData("nas.population.score-recorded.v1", true)]
    [InlineData("nas.controller.batch-sampled.v1", true)]
    [InlineData("nas.experiment.started.v2", false)]
    [InlineData("nas.coordinator.experiment-ended.v1", false)]
    [InlineData("nas.event.score-recorded.v2", false)]
    public void NasManifests_must_recognise_the_event_manifests_of_store_format_1(string manifest, bool format1)
    {
        Assert.Equal(format1, NasManifests.IsFormat1(manifest));
    }
}
