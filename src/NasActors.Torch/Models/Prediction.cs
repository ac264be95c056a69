namespace NasActors.Torch.Models;

/// <summary>One class of an image's prediction: its index, name and softmax probability.</summary>
public sealed record Prediction(int Class, string Name, float Probability);
