namespace NasActors.Core.Training;

/// <summary>Which held-out images score an architecture: the validation split carved from the 60k training images, or the 10k test set.</summary>
public enum EvalSplit { Validation, Test }
