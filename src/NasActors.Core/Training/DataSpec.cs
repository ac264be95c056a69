namespace NasActors.Core.Training;

/// <summary>Which dataset (nas.data.dataset), where it lives and how its training images split into train and validation.</summary>
/// <param name="ValidationSize">The last this-many of the 60k training images (in file order) form the validation split.</param>
/// <param name="TrainLimit">Use only the first N training images (0 = all): for tests.</param>
/// <param name="Dataset">A dataset of <see cref="Engine.Catalog.Datasets"/>: fashion-mnist or cifar10.</param>
/// <param name="Augment">CIFAR-10 training batches: random crop (padding 4) and horizontal flip, as DARTS searches.</param>
/// <param name="Cutout">CIFAR-10 training batches: cutout square side (0 = off; the DARTS tutorial retrains with 16).</param>
public sealed record DataSpec(string Directory, int ValidationSize, int TrainLimit = 0, string Dataset = "fashion-mnist", bool Augment = true, int Cutout = 0)
{
    /// <summary>Training images are cropped and flipped by nas.data.augment (only where the dataset's registration says so).</summary>
    public bool CropsAndFlips => Augment && Engine.Catalog.Dataset(Dataset).CropsAndFlips;
}
