using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.OneShot;

/// <summary>
/// Epoch-based, checkpointed retraining of one architecture as a reusable piece of a plan (what
/// <see cref="SupernetSchedule"/> is for supernet rounds): each epoch every slot trains its share of the epoch's batches
/// from the previous epoch's checkpoint (<see cref="RetrainEpoch"/>), the slots are averaged (one slot: its checkpoint is
/// the epoch's), <see cref="RetrainEpochCompleted"/> is journaled, and after the last epoch <see cref="RetrainTest"/>
/// measures the model and stores its weights (<see cref="RetrainCompleted"/>). A kill at any point resumes from the last
/// journaled epoch; work items are pure functions of their fields, so the result is the same.
/// </summary>
public sealed class RetrainSchedule(RetrainSettings settings)
{
    public RetrainSettings Settings { get; } = settings;

    /// <summary>The work or decision that brings retraining of <paramref name="rollout"/> forward; null when it is finished.</summary>
    public PlanStep? Next(RetrainState s, Rollout rollout)
    {
        if (s.Result is not null) return null;
        if (s.EpochsDone >= Settings.Epochs) return PlanStep.Do([new RetrainTest(rollout, Settings, s.Checkpoint!)]);
        var epoch = s.EpochsDone;
        if (s.EpochSlices.Count == Settings.Slots)
        {
            var checkpoints = s.EpochSlices.Values.Select(x => x.Checkpoint).ToImmutableArray();
            return Settings.Slots == 1
                ? PlanStep.Record(new RetrainEpochCompleted(rollout.Id, epoch, checkpoints[0]))
                : PlanStep.Do([new MergeRetrainSlots(rollout.Id, epoch, checkpoints)]);
        }
        return PlanStep.Do(Enumerable.Range(0, Settings.Slots).Where(slot => !s.EpochSlices.ContainsKey(slot))
            .Select(slot => new RetrainEpoch(rollout, Settings, epoch, slot, s.Checkpoint)));
    }

    /// <summary>Events for a retrain result about <paramref name="id"/>; empty for a stale or duplicate one; null for any other result.</summary>
    public ImmutableArray<PlanEvent>? OnResult(RetrainState s, RolloutId id, WorkResult result) => result switch
    {
        RetrainEpochTrained t when t.Id == id && s.Result is null && t.Epoch == s.EpochsDone && t.Epoch < Settings.Epochs
                                   && t.Slot >= 0 && t.Slot < Settings.Slots && !s.EpochSlices.ContainsKey(t.Slot) =>
            [new RetrainSliceCompleted(id, t.Epoch, t.Slot, t.Result.Checkpoint, t.Result.MeanLoss, t.Result.Accuracy, t.Result.Images, t.Result.Seconds)],
        RetrainSlotsMerged m when m.Id == id && s.Result is null && m.Epoch == s.EpochsDone && s.EpochSlices.Count == Settings.Slots =>
            [new RetrainEpochCompleted(id, m.Epoch, m.Checkpoint)],
        RetrainTested r when r.Id == id && s.Result is null && s.EpochsDone >= Settings.Epochs =>
            [new RetrainCompleted(id, Settings.Epochs, r.Model.Metrics, r.Model.Weights)],
        RetrainEpochTrained or RetrainSlotsMerged or RetrainTested => [],
        _ => null,
    };

    /// <summary>The state after <paramref name="e"/>; null when <paramref name="e"/> is not a retrain event.</summary>
    public static RetrainState? Apply(RetrainState s, PlanEvent e) => e switch
    {
        RetrainSliceCompleted c when s.Result is null && c.Epoch == s.EpochsDone =>
            s with { EpochSlices = s.EpochSlices.SetItem(c.Slot, c), ImagesTrained = s.ImagesTrained + c.Images },
        RetrainEpochCompleted r when s.Result is null && r.Epoch == s.EpochsDone => s with
        {
            EpochsDone = s.EpochsDone + 1,
            Checkpoint = r.Checkpoint,
            EpochSlices = s.EpochSlices.Clear(),
            LastLoss = s.EpochSlices.IsEmpty ? s.LastLoss : s.EpochSlices.Values.Average(x => x.Loss),
            LastAccuracy = s.EpochSlices.IsEmpty ? s.LastAccuracy : s.EpochSlices.Values.Average(x => x.Accuracy),
        },
        RetrainCompleted c when s.Result is null => s with { Result = new RetrainResult(c.Id, c.Epochs, c.Metrics, c.Weights) },
        RetrainSliceCompleted or RetrainEpochCompleted or RetrainCompleted => s,
        _ => null,
    };

    /// <summary>
    /// Once an epoch is journaled, resume starts from its checkpoint: the epoch's slots and the previous epoch's checkpoint
    /// are obsolete; once the result is journaled, so is the last epoch's (the weights alone stay).
    /// </summary>
    public static ImmutableArray<string> Released(RetrainState before, PlanEvent e) => e switch
    {
        RetrainEpochCompleted r when before.Result is null && r.Epoch == before.EpochsDone =>
            [.. before.EpochSlices.Values.Select(x => x.Checkpoint).Append(before.Checkpoint).OfType<string>().Where(c => c != r.Checkpoint).Distinct()],
        RetrainCompleted c when before.Result is null && before.Checkpoint is { } last && last != c.Weights => [last],
        _ => [],
    };

    public PlanCounter Counter(RetrainState s, string name = "retrain_epoch") => new(name, s.EpochsDone, Settings.Epochs);

    public static IEnumerable<KeyValuePair<string, double>> Figures(RetrainState s)
    {
        if (s.ImagesTrained > 0) yield return KeyValuePair.Create("retrain_images", (double)s.ImagesTrained);
        if (!double.IsNaN(s.LastLoss)) yield return KeyValuePair.Create("retrain_loss", s.LastLoss);
        if (!double.IsNaN(s.LastAccuracy)) yield return KeyValuePair.Create("retrain_accuracy", s.LastAccuracy);
    }
}
