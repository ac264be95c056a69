using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Progress;

namespace NasActors.Core.Tests.Progress;

public sealed class StatusTimelineTests
{
    private static PlanStatus Status(long round, long step, params (string, double)[] figures) => new("test", "x", false, [], 0, null, null, null,
        [new PlanCounter("round", round, 10), new PlanCounter("controller_step", step, 10)],
        figures.ToImmutableSortedDictionary(f => f.Item1, f => f.Item2, StringComparer.Ordinal));

    [Fact]
    public void Timeline_must_bind_each_figure_to_the_counter_that_advanced_with_it_and_never_repeat_a_step()
    {
        var t = new StatusTimeline();
        var points = new List<ScalarPoint>();
        points.AddRange(t.Add(Status(0, 0, ("images", 0))).Scalars);               // no counter moved: the first counter
        points.AddRange(t.Add(Status(1, 0, ("images", 64), ("loss", 2.0))).Scalars); // round moved
        points.AddRange(t.Add(Status(1, 1, ("images", 64), ("loss", 2.0), ("entropy", 1.5))).Scalars); // controller step moved
        points.AddRange(t.Add(Status(1, 1, ("images", 64), ("loss", 2.0), ("entropy", 1.4))).Scalars); // same step: nothing
        points.AddRange(t.Add(Status(2, 1, ("images", 128), ("loss", 1.5), ("entropy", 1.4))).Scalars);
        points.AddRange(t.Add(Status(2, 2, ("images", 128), ("loss", 1.5), ("entropy", 1.2))).Scalars);
        Assert.Equal(
        [
            new ScalarPoint("round/images", 0, 0), new ScalarPoint("round/images", 1, 64), new ScalarPoint("round/loss", 1, 2.0),
            new ScalarPoint("controller_step/entropy", 1, 1.5), new ScalarPoint("round/images", 2, 128), new ScalarPoint("round/loss", 2, 1.5),
            new ScalarPoint("controller_step/entropy", 2, 1.2),
        ], points);
    }
}
