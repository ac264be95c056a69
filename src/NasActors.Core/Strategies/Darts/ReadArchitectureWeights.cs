using NasActors.Core.Engine;

namespace NasActors.Core.Strategies.Darts;

/// <summary>Read the architecture logits of the checkpoint that ends <paramref name="Epoch"/>.</summary>
[Manifest("nas.work.read-architecture-weights.v2")]
public sealed record ReadArchitectureWeights(int Epoch, string Checkpoint) : WorkItem
{
    public override string Key => $"alphas/{Epoch}";

    public override WorkResult Execute(WorkContext context)
    {
        var logits = context.Need<IDartsTrainer>().ReadLogits(Checkpoint, context.Cancellation);
        return new ArchitectureWeightsRead(Key, Epoch, Checkpoint, logits[SearchSpaces.Darts.DartsSpace.Normal], logits[SearchSpaces.Darts.DartsSpace.Reduce]);
    }
}
