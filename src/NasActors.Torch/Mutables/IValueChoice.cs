namespace NasActors.Torch.Mutables;

/// <summary>A <see cref="ValueChoice{T}"/> seen without its value type.</summary>
internal interface IValueChoice : IMutableNode
{
    IReadOnlyList<string> ValueTexts { get; }
}
