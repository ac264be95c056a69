namespace NasActors.Torch.Mutables;

/// <summary>The mechanics <see cref="ModelSpace"/> drives on every mutable (not for users).</summary>
internal interface IMutableNode : IMutable
{
    MutableState State { get; }

    /// <summary>The value choice whose decision this module shares (a module built by <see cref="ValueChoice{T}.Select"/>), or null.</summary>
    IValueChoice? Source => null;

    /// <summary>Checks a value before it is set (the space already validated it).</summary>
    void Activate(string value) => State.Active = value;

    /// <summary>Keeps only what <paramref name="value"/> uses; the rest is disposed. The mutable then always runs with it.</summary>
    void Fix(string value);

}
