using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.OneShot;

/// <summary>
/// Epoch-based, checkpointed retraining of one architecture as a reusable piece of a plan (what
/// <see cref="SupernetSchedule"/> is for supernet rounds): each epoch every slot trains its share of the epoch's batches
/// from the previous epoch's checkpoint (<see cref="RetrainEpoch"/>), the slots are averaged (one slot: its checkpoint is
/// the epoch's), <see cref="RetrainEpochCompleted"/> is journaled, and after the last epoch <see cref="RetrainTest"/>
/// measures the model and stores its weights (<see cref="RetrainCompleted"/>). With several rounds per epoch the same
/// happens per round (<see cref="RetrainRoundCompleted"/> for all but the last). A kill at any point resumes from the
/// last journaled round; work items are pure functions of their fields, so the result is the same.
/// </summary>
public sealed class RetrainSchedule(RetrainSettings settings)
{
    public RetrainSettings Settings { get; } = settings;

    /// <summary>The work or decision that brings retraining of <paramref name="rollout"/> forward; null when it is finished.</summary>
    public PlanStep? Next(RetrainState s, Rollout rollout)
    {
        if (s.Result is not null) return null;
        if (s.EpochsDone >= Settings.Epochs) return PlanStep.Do([new RetrainTest(rollout, Settings, s.Checkpoint!)]);
        var (epoch, round) = (s.EpochsDone, s.RoundsDone);
        if (s.EpochSlices.Count == Settings.Slots)
        {
            var checkpoints = s.EpochSlices.Values.Select(x => x.Checkpoint).ToImmutableArray();
            return Settings.Slots == 1
                ? PlanStep.Record(Completed(rollout.Id, epoch, round, checkpoints[0]))
                : PlanStep.Do([new MergeRetrainSlots(rollout.Id, epoch, checkpoints, round)]);
        }
        return PlanStep.Do(Enumerable.Range(0, Settings.Slots).Where(slot => !s.EpochSlices.ContainsKey(slot))
            .Select(slot => new RetrainEpoch(rollout, Settings, epoch, slot, s.Checkpoint, round)));
    }

    /// <summary>The event that closes a round: the epoch's last round completes the epoch.</summary>
    private PlanEvent Completed(RolloutId id, int epoch, int round, string checkpoint) =>
        round == Settings.Rounds - 1 ? new RetrainEpochCompleted(id, epoch, checkpoint) : new RetrainRoundCompleted(id, epoch, round, checkpoint);

    /// <summary>Events for a retrain result about <paramref name="id"/>; empty for a stale or duplicate one; null for any other result.</summary>
    public ImmutableArray<PlanEvent>? OnResult(RetrainState s, RolloutId id, WorkResult result) => result switch
    {
        RetrainEpochTrained t when t.Id == id && s.Result is null && t.Epoch == s.EpochsDone && t.Epoch < Settings.Epochs && t.Round == s.RoundsDone
                                   && t.Slot >= 0 && t.Slot < Settings.Slots && !s.EpochSlices.ContainsKey(t.Slot) =>
            [new RetrainSliceCompleted(id, t.Epoch, t.Slot, t.Result.Checkpoint, t.Result.MeanLoss, t.Result.Accuracy, t.Result.Images, t.Result.Seconds, t.Round)],
        RetrainSlotsMerged m when m.Id == id && s.Result is null && m.Epoch == s.EpochsDone && m.Round == s.RoundsDone && s.EpochSlices.Count == Settings.Slots =>
            [Completed(id, m.Epoch, m.Round, m.Checkpoint)],
        RetrainTested r when r.Id == id && s.Result is null && s.EpochsDone >= Settings.Epochs =>
            [new RetrainCompleted(id, Settings.Epochs, r.Model.Metrics, r.Model.Weights)],
        RetrainEpochTrained or RetrainSlotsMerged or RetrainTested => [],
        _ => null,
    };

    /// <summary>The state after <paramref name="e"/>; null when <paramref name="e"/> is not a retrain event.</summary>
    public static RetrainState? Apply(RetrainState s, PlanEvent e) => e switch
    {
        RetrainSliceCompleted c when s.Result is null && c.Epoch == s.EpochsDone && c.Round == s.RoundsDone =>
            s with { EpochSlices = s.EpochSlices.SetItem(c.Slot, c), ImagesTrained = s.ImagesTrained + c.Images },
        RetrainRoundCompleted r when s.Result is null && r.Epoch == s.EpochsDone && r.Round == s.RoundsDone =>
            Closed(s, r.Checkpoint) with { RoundsDone = s.RoundsDone + 1 },
        RetrainEpochCompleted r when s.Result is null && r.Epoch == s.EpochsDone =>
            Closed(s, r.Checkpoint) with { EpochsDone = s.EpochsDone + 1, RoundsDone = 0 },
        RetrainCompleted c when s.Result is null => s with { Result = new RetrainResult(c.Id, c.Epochs, c.Metrics, c.Weights) },
        RetrainSliceCompleted or RetrainRoundCompleted or RetrainEpochCompleted or RetrainCompleted => s,
        _ => null,
    };

    private static RetrainState Closed(RetrainState s, string checkpoint) => s with
    {
        Checkpoint = checkpoint,
        EpochSlices = s.EpochSlices.Clear(),
        LastLoss = s.EpochSlices.IsEmpty ? s.LastLoss : s.EpochSlices.Values.Average(x => x.Loss),
        LastAccuracy = s.EpochSlices.IsEmpty ? s.LastAccuracy : s.EpochSlices.Values.Average(x => x.Accuracy),
    };

    /// <summary>
    /// Once a round (or epoch) is journaled, resume starts from its checkpoint: its slots' and the previous round's
    /// checkpoints are obsolete; once the result is journaled, so is the last one (the weights alone stay).
    /// </summary>
    public static ImmutableArray<string> Released(RetrainState before, PlanEvent e) => e switch
    {
        RetrainRoundCompleted r when before.Result is null && r.Epoch == before.EpochsDone && r.Round == before.RoundsDone => Superseded(before, r.Checkpoint),
        RetrainEpochCompleted r when before.Result is null && r.Epoch == before.EpochsDone => Superseded(before, r.Checkpoint),
        RetrainCompleted c when before.Result is null && before.Checkpoint is { } last && last != c.Weights => [last],
        _ => [],
    };

    private static ImmutableArray<string> Superseded(RetrainState before, string now) =>
        [.. before.EpochSlices.Values.Select(x => x.Checkpoint).Append(before.Checkpoint).OfType<string>().Where(c => c != now).Distinct()];

    public PlanCounter Counter(RetrainState s, string name = "retrain_epoch") => new(name, s.EpochsDone, Settings.Epochs);

    public static IEnumerable<KeyValuePair<string, double>> Figures(RetrainState s)
    {
        if (s.ImagesTrained > 0) yield return KeyValuePair.Create("retrain_images", (double)s.ImagesTrained);
        if (!double.IsNaN(s.LastLoss)) yield return KeyValuePair.Create("retrain_loss", s.LastLoss);
        if (!double.IsNaN(s.LastAccuracy)) yield return KeyValuePair.Create("retrain_accuracy", s.LastAccuracy);
    }
}
