using static TorchSharp.torch;

namespace NasActors.Torch.Mutables;

/// <summary>
/// A module whose weights several decisions select together (a DARTS node: its weights are per edge and op, and a slot's
/// input choice and op choice pick one of them; both slots share the edges). <see cref="ModelSpace"/> asks it what the
/// active architecture runs: for the fixed model's parameters, for <see cref="ModelSpace.Fix"/>, and for the dry runs
/// that must reach every weight.
/// </summary>
internal interface IWeightRouter
{
    /// <summary>The submodules the active architecture runs; the others hold weights of unchosen paths.</summary>
    IEnumerable<nn.Module> ActiveModules();

    /// <summary>Disposes every submodule but the active ones (the fixed model).</summary>
    void KeepOnlyActive();

    /// <summary>Decisions (key, value) that make the submodule at <paramref name="relativePath"/> run; null if none do.</summary>
    IReadOnlyList<(string Key, string Value)>? Reaching(string relativePath);
}
