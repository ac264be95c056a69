namespace NasActors.Core.Engine;

/// <summary>A dataset the trainers can load (listed by `nas registry`).</summary>
/// <param name="CropsAndFlips">nas.data.augment crops and flips its training images (CIFAR-10, as DARTS searches); otherwise the setting does nothing for it.</param>
public sealed record DatasetModule(string Name, string Description, bool CropsAndFlips = false);
