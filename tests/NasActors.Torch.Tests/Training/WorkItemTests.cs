using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.Randomness;
using NasActors.Core.Training;

namespace NasActors.Torch.Tests.Training;

/// <summary>
/// The one-shot work items, run on a Torch backend through a <see cref="WorkContext"/> as a trainer runs them, give
/// exactly what calling the backend directly gives (only wall-clock seconds may differ), carry their keys, and pass the
/// context's progress and cancellation through.
/// </summary>
public class WorkItemTests
{
    private static SliceResult Untimed(SliceResult r) => r with { Seconds = 0 };

    private static IEnumerable<TrainProgress> Untimed(IEnumerable<TrainProgress> p) => p.Select(x => x with { Seconds = 0 });

    [Fact]
    public void OneShot_work_items_must_give_exactly_what_the_backend_gives()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        using var viaWork = factory.Create("cpu");
        using var direct = factory.Create("cpu:1");
        var workProgress = new List<TrainProgress>();
        var context = new WorkContext(viaWork, workProgress.Add, CancellationToken.None);
        var directProgress = new List<TrainProgress>();
        var ct = CancellationToken.None;

        // TrainSlice: the two data-parallel slots of round 2 (12 steps each: progress after 10 and 12).
        SupernetSlice[] slices = [new(2, 0, 2, null, 0, 12), new(2, 1, 2, null, 0, 12)];
        var trained = slices.Select(s => Assert.IsType<SliceTrained>(new TrainSlice(s).Execute(context))).ToList();
        var expected = slices.Select(s => direct.Trainer().TrainSlice(s, directProgress.Add, ct)).ToList();
        for (var i = 0; i < slices.Length; i++)
        {
            Assert.Equal($"slice/2/{i}", trained[i].Key);
            Assert.Equal(slices[i], trained[i].Slice);
            Assert.Equal(Untimed(expected[i]), Untimed(trained[i].Result));
        }
        Assert.Equal(4, workProgress.Count);
        Assert.Equal(Untimed(directProgress), Untimed(workProgress));

        // MergeSlices
        var merged = Assert.IsType<SlicesMerged>(new MergeSlices(2, [.. trained.Select(t => t.Result.Checkpoint)]).Execute(context));
        Assert.Equal("merge/2", merged.Key);
        Assert.Equal(2, merged.Round);
        Assert.Equal(direct.Trainer().Merge([.. expected.Select(r => r.Checkpoint)], ct), merged.Checkpoint);

        // ScoreRollout on both splits (BN recalibration, then the split)
        var rollout = new Rollout(new RolloutId(7), factory.Space.Sample(Xoshiro256.FromSeed(3)), 1, "test");
        foreach (var split in new[] { EvalSplit.Validation, EvalSplit.Test })
        {
            var scored = Assert.IsType<RolloutScored>(new ScoreRollout(rollout, merged.Checkpoint, split).Execute(context));
            Assert.Equal(ScoreRollout.KeyOf(rollout.Id, split), scored.Key);
            Assert.Equal(rollout.Id, scored.Id);
            Assert.Equal(split, scored.Split);
            Assert.Equal(direct.Evaluator().Score(rollout.Architecture, merged.Checkpoint, split, ct), scored.Metrics);
        }
        Assert.NotEqual(ScoreRollout.KeyOf(rollout.Id, EvalSplit.Validation), ScoreRollout.KeyOf(rollout.Id, EvalSplit.Test));

        // RewardRollout: the minibatch and its size come from the work item
        foreach (var (batch, images) in new[] { (0L, 16), (5L, 16), (1L, 32) })
        {
            var reward = Assert.IsType<RolloutScored>(new RewardRollout(rollout, merged.Checkpoint, batch, images).Execute(context));
            Assert.Equal("reward/r7", reward.Key);
            Assert.Equal(rollout.Id, reward.Id);
            Assert.Equal(EvalSplit.Validation, reward.Split);
            Assert.Equal(direct.Evaluator().ScoreMinibatch(rollout.Architecture, merged.Checkpoint, batch, images, ct), reward.Metrics);
        }

        // RetrainEpoch and RetrainTest (progress with round -1 - epoch)
        workProgress.Clear();
        directProgress.Clear();
        var retrain = RetrainSettings.Off with { Epochs = 1, BatchSize = 64 };
        var epoch = Assert.IsType<RetrainEpochTrained>(new RetrainEpoch(rollout, retrain, 0, 0, null).Execute(context));
        Assert.Equal(("retrain/r7/0/0", rollout.Id, 0, 0), (epoch.Key, epoch.Id, epoch.Epoch, epoch.Slot));
        Assert.Equal(direct.Retrainer().TrainEpoch(rollout.Architecture, retrain, 0, 0, 0, null, directProgress.Add, ct) with { Seconds = 0 }, epoch.Result with { Seconds = 0 });
        Assert.All(workProgress, p => Assert.Equal(-1, p.Round));
        Assert.Equal(Untimed(directProgress), Untimed(workProgress));
        var tested = Assert.IsType<RetrainTested>(new RetrainTest(rollout, retrain, epoch.Result.Checkpoint).Execute(context));
        Assert.Equal(("retrain-test/r7", rollout.Id), (tested.Key, tested.Id));
        Assert.Equal(direct.Retrainer().Test(rollout.Architecture, retrain, epoch.Result.Checkpoint, ct), tested.Model);
    }

    [Fact]
    public void Work_items_must_stop_on_the_contexts_cancellation()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        using var backend = factory.Create("cpu");
        var ckpt = backend.Trainer().TrainSlice(new SupernetSlice(0, 0, 1, null, 0, 1), _ => { }, CancellationToken.None).Checkpoint;
        var rollout = new Rollout(new RolloutId(1), factory.Space.Sample(Xoshiro256.FromSeed(1)), 0, "test");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var context = new WorkContext(backend, _ => Assert.Fail("no progress after cancellation"), cts.Token);

        WorkItem[] items =
        [
            new TrainSlice(new SupernetSlice(1, 0, 1, ckpt, 1, 3)),
            new MergeSlices(1, [ckpt, ckpt]),
            new ScoreRollout(rollout, ckpt, EvalSplit.Validation),
            new RewardRollout(rollout, ckpt, 0, 16),
            new RetrainEpoch(rollout, RetrainSettings.Off with { Epochs = 1 }, 0, 0, null),
            new RetrainTest(rollout, RetrainSettings.Off with { Epochs = 1 }, ckpt),
        ];
        foreach (var item in items)
            Assert.ThrowsAny<OperationCanceledException>(() => item.Execute(context));
    }
}
