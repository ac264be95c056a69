using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

/// <summary>
/// Data-parallel supernet training in rounds, as a reusable piece of a plan: each round every slot trains a slice from
/// the round's starting weights, then the slots' weights are averaged (one slot: its weights are the round's). Every
/// strategy that trains shared weights composes it; what samples the paths (uniform, a policy) is the caller's, and so is
/// how a slice trains (<paramref name="slice"/>: single paths by default, DARTS's mixed ops).
/// </summary>
public sealed class SupernetSchedule(OneShotSettings settings, Func<SupernetSlice, WorkItem>? slice = null)
{
    private readonly Func<SupernetSlice, WorkItem> _slice = slice ?? (s => new TrainSlice(s));

    public OneShotSettings Settings { get; } = settings;

    public int Rounds => Settings.Rounds;

    /// <summary>The work (or decision) that brings training to <paramref name="roundsTarget"/> rounds; null when it is there.</summary>
    public PlanStep? Next(SupernetState s, int roundsTarget, string? policy = null, int pathEvery = 1)
    {
        if (s.RoundsDone >= roundsTarget) return null;
        var round = s.RoundsDone;
        if (s.RoundSlices.Count == Settings.Slots)
        {
            var checkpoints = s.RoundSlices.Values.Select(x => x.Checkpoint).ToImmutableArray();
            return Settings.Slots == 1
                ? PlanStep.Record(new RoundCompleted(round, checkpoints[0]))
                : PlanStep.Do([new MergeSlices(round, checkpoints)]);
        }
        var first = (long)round * Settings.StepsPerRound;
        var steps = (int)Math.Min(Settings.StepsPerRound, Settings.StepsPerSlot - first);
        return PlanStep.Do(Enumerable.Range(0, Settings.Slots).Where(slot => !s.RoundSlices.ContainsKey(slot))
            .Select(slot => _slice(new SupernetSlice(round, slot, Settings.Slots, s.Checkpoint, first, steps, policy, pathEvery))));
    }

    /// <summary>Events for a supernet result; empty for a stale or duplicate one; null for a result that is not a supernet result.</summary>
    public ImmutableArray<PlanEvent>? OnResult(SupernetState s, WorkResult result, bool training) => result switch
    {
        SliceTrained t when training && t.Slice.Round == s.RoundsDone && t.Slice.Round < Rounds && !s.RoundSlices.ContainsKey(t.Slice.Slot) =>
            [new SliceCompleted(t.Slice.Round, t.Slice.Slot, t.Result.Checkpoint, t.Result.MeanLoss, t.Result.Accuracy, t.Result.Images, t.Result.Seconds)],
        SlicesMerged m when training && m.Round == s.RoundsDone && s.RoundSlices.Count == Settings.Slots => [new RoundCompleted(m.Round, m.Checkpoint)],
        SliceTrained or SlicesMerged => [],
        _ => null,
    };

    /// <summary>The state after <paramref name="e"/>; null when <paramref name="e"/> is not a supernet event.</summary>
    public static SupernetState? Apply(SupernetState s, PlanEvent e) => e switch
    {
        SliceCompleted c when c.Round == s.RoundsDone => s with { RoundSlices = s.RoundSlices.SetItem(c.Slot, c), ImagesTrained = s.ImagesTrained + c.Images },
        RoundCompleted r when r.Round == s.RoundsDone => s with
        {
            RoundsDone = s.RoundsDone + 1,
            Checkpoint = r.Checkpoint,
            RoundSlices = s.RoundSlices.Clear(),
            LastLoss = s.RoundSlices.IsEmpty ? s.LastLoss : s.RoundSlices.Values.Average(x => x.Loss),
            LastAccuracy = s.RoundSlices.IsEmpty ? s.LastAccuracy : s.RoundSlices.Values.Average(x => x.Accuracy),
        },
        SliceCompleted or RoundCompleted => s,
        _ => null,
    };

    /// <summary>Once a round is journaled, resume starts from its weights: the round's slices and the previous round's weights are obsolete.</summary>
    public static ImmutableArray<string> Released(SupernetState before, PlanEvent e) => e is RoundCompleted r && r.Round == before.RoundsDone
        ? [.. before.RoundSlices.Values.Select(x => x.Checkpoint).Append(before.Checkpoint).OfType<string>().Where(c => c != r.Checkpoint).Distinct()]
        : [];

    public static ImmutableArray<PlanCounter> Counters(SupernetState s, int rounds) => [new PlanCounter("round", s.RoundsDone, rounds)];

    public static IEnumerable<KeyValuePair<string, double>> Figures(SupernetState s)
    {
        yield return KeyValuePair.Create("images_trained", (double)s.ImagesTrained);
        if (!double.IsNaN(s.LastLoss)) yield return KeyValuePair.Create("train_loss", s.LastLoss);
        if (!double.IsNaN(s.LastAccuracy)) yield return KeyValuePair.Create("train_accuracy", s.LastAccuracy);
    }
}
