using NasActors.Core.SearchSpaces;

namespace NasActors.Torch.Mutables;

/// <summary>
/// A decision inside a model (NNI's "mutable"): <see cref="LayerChoice"/>, <see cref="InputChoice"/>,
/// <see cref="ValueChoice{T}"/> or <see cref="Repeat"/>. Mutables with the same key are one shared decision.
/// </summary>
public interface IMutable
{
    /// <summary>The key the user gave, or null: <see cref="ModelSpace"/> then uses the module's path in the model ("conv1", "blocks.0.op").</summary>
    string? Label { get; }

    /// <summary>The decision's key in the search space (the label, or the generated one once a <see cref="ModelSpace"/> read the model).</summary>
    string Key { get; }

    /// <summary>The choice this mutable offers under <paramref name="key"/>.</summary>
    Choice Describe(string key);
}
