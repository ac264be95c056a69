namespace NasActors.Torch.Training;

/// <summary>
/// First parts for <see cref="NasActors.Core.Randomness.Xoshiro256.Derive"/> that keep the backend's random streams
/// apart: uniform path sampling uses (seed, step, slot) and the training permutation (seed, epoch); the others start with a
/// tag far above any step or epoch. Part of the determinism contract: changing one changes every result.
/// </summary>
internal static class StreamTags
{
    public const long WeightInit = 0x5EED_0000_0001_0000;
    public const long Recalibration = 0x5EED_0000_0002_0000;

    /// <summary>ENAS: the path a policy samples for block (step / pathEvery) of a slot: (seed, tag, block, slot).</summary>
    public const long PolicyPath = 0x5EED_0000_0003_0000;

    /// <summary>ENAS: the permutation of the validation split that forms the reward minibatches.</summary>
    public const long RewardBatches = 0x5EED_0000_0004_0000;

    /// <summary>Retraining a found architecture from scratch: its fresh weights come from (seed, tag).</summary>
    public const long Retrain = 0x5EED_0000_0005_0000;

    /// <summary>Dropout masks of a step: (seed, tag, phase, step, slot), phase one of the tags above (0 for supernet training).</summary>
    public const long Dropout = 0x5EED_0000_0006_0000;

    /// <summary>CIFAR-10 training augmentation (crop, flip, cutout) of a step's batch: (seed, tag, step, slot).</summary>
    public const long Augment = 0x5EED_0000_0007_0000;

    /// <summary>Retraining: the drop-path masks of global batch b, (seed, tag, b).</summary>
    public const long DropPath = 0x5EED_0000_0008_0000;

    /// <summary>DARTS: the order of the training split's second half, whose batches train the architecture: (seed, tag).</summary>
    public const long ArchitectureBatches = 0x5EED_0000_000A_0000;

    /// <summary>DARTS: the architecture logits' initial values: (seed, tag).</summary>
    public const long ArchitectureInit = 0x5EED_0000_000B_0000;

    /// <summary>DARTS: the augmentation stream of architecture batches uses slot (tag + slot), apart from the weight batches' slots.</summary>
    public const int ArchitectureSlot = 1_000_000;
}
