namespace NasActors.Torch.Training;

/// <summary>
/// First parts for <see cref="NasActors.Core.Randomness.Xoshiro256.Derive"/> that keep the backend's random streams
/// apart: path sampling uses (seed, step, slot) and the training permutation (seed, epoch); the others start with a
/// tag far above any step or epoch. Part of the determinism contract: changing one changes every result.
/// </summary>
internal static class StreamTags
{
    public const long WeightInit = 0x5EED_0000_0001_0000;
    public const long Recalibration = 0x5EED_0000_0002_0000;
}
