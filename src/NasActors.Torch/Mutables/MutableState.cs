using NasActors.Core;

namespace NasActors.Torch.Mutables;

/// <summary>
/// What every mutable keeps: its label and resolved key, the value it runs with now (set by <see cref="ModelSpace"/>
/// before each forward, or for good by <see cref="ModelSpace.Fix"/>) and the probe that watches dry runs.
/// </summary>
internal sealed class MutableState(string? label, string kind)
{
    public string? Label { get; } = label is null || label.Length > 0 ? label
        : throw new NasUserException($"a {kind} was given an empty key; pass null for a generated one, or a name like \"conv1\"");

    public string? Key { get; set; }
    public string? Active { get; set; }
    public bool Fixed { get; set; }
    public ModelProbe? Probe { get; set; }

    public string ResolvedKey => Key ?? Label ?? "(unnamed " + kind + ")";

    /// <summary>The value to run with; throws when the model runs outside a <see cref="ModelSpace"/>.</summary>
    public string Require(IMutable owner)
    {
        Probe?.Used(owner);
        return Active ?? throw new InvalidOperationException(
            $"{kind} '{ResolvedKey}' has no chosen value: run the model through ModelSpace.Forward(x, architecture), or build a fixed model with ModelSpace.Fix(architecture)");
    }
}
