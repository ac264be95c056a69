namespace NasActors.Torch.Mutables;

/// <summary>How an <see cref="InputChoice"/> combines the inputs it chose (NNI's <c>reduction</c>).</summary>
public enum InputReduction
{
    Sum,
    Mean,
    /// <summary>Concatenated along the channel dimension (1).</summary>
    Concat,
    /// <summary>Not combined: read <see cref="InputChoice.Select"/>.</summary>
    None,
}
