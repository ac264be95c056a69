using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;

namespace NasActors.Torch.Tests.Training;

/// <summary>Retraining a found architecture from scratch (nas.retrain), on the shared backend.</summary>
public class RetrainTests
{
    private static readonly Action<TrainProgress> Ignore = _ => { };

    [Fact]
    public void Retrain_must_be_deterministic_and_independent_of_the_supernet_state()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        using var a = factory.Create("cpu");
        using var b = factory.Create("cpu");
        var arch = factory.Space.Sample(Xoshiro256.FromSeed(5));

        var first = a.Retrainer().Retrain(arch, 30, Ignore, CancellationToken.None);
        // b has trained a supernet slice first: a retrain starts from its own fresh weights regardless.
        b.Trainer().TrainSlice(new SupernetSlice(0, 0, 1, null, 0, 5), Ignore, CancellationToken.None);
        var other = b.Retrainer().Retrain(arch, 30, Ignore, CancellationToken.None);
        Assert.Equal(first, other);
        Assert.Equal(factory.Costs.Cost(arch).Flops, first.Flops);
        Assert.NotEqual(first, a.Retrainer().Retrain(arch, 31, Ignore, CancellationToken.None)); // the step count matters
    }

    [Fact]
    public void Retrain_must_learn_and_report_progress_and_leave_scoring_untouched()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        using var backend = factory.Create("cpu");
        var arch = factory.Space.Sample(Xoshiro256.FromSeed(9));
        var slice = backend.Trainer().TrainSlice(new SupernetSlice(0, 0, 1, null, 0, 5), Ignore, CancellationToken.None);
        var before = backend.Evaluator().Score(arch, slice.Checkpoint, EvalSplit.Validation, CancellationToken.None);

        var progress = new List<TrainProgress>();
        var brief = backend.Retrainer().Retrain(arch, 2, Ignore, CancellationToken.None);
        var longer = backend.Retrainer().Retrain(arch, 120, progress.Add, CancellationToken.None);

        // Synthetic classes are separable: more training fits them better.
        Assert.True(longer.Loss < brief.Loss, $"loss after 120 steps {longer.Loss} not below after 2 steps {brief.Loss}");
        Assert.NotEmpty(progress);
        Assert.All(progress, p => Assert.Equal(-1, p.Round));
        Assert.Equal(120, progress[^1].Step);
        // Retraining overwrote the module's weights; scoring reloads the checkpoint and gives the same result.
        Assert.Equal(before, backend.Evaluator().Score(arch, slice.Checkpoint, EvalSplit.Validation, CancellationToken.None));
    }
}
