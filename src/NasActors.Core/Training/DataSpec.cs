namespace NasActors.Core.Training;

/// <summary>Where Fashion-MNIST lives and how the 60k training images split into train and validation.</summary>
/// <param name="ValidationSize">The last this-many of the 60k training images (in file order) form the validation split.</param>
/// <param name="TrainLimit">Use only the first N training images (0 = all): for tests.</param>
public sealed record DataSpec(string Directory, int ValidationSize, int TrainLimit = 0);
