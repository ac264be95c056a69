namespace NasActors.Core.Training;

/// <summary>Which dataset (nas.data.dataset), where it lives and how its training images split into train and validation.</summary>
/// <param name="ValidationSize">The last this-many of the 60k training images (in file order) form the validation split.</param>
/// <param name="TrainLimit">Use only the first N training images (0 = all): for tests.</param>
/// <param name="Dataset">A dataset of <see cref="Engine.Catalog.Datasets"/>: fashion-mnist or cifar10.</param>
public sealed record DataSpec(string Directory, int ValidationSize, int TrainLimit = 0, string Dataset = "fashion-mnist");
