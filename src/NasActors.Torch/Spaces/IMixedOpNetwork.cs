using static TorchSharp.torch;

namespace NasActors.Torch.Spaces;

/// <summary>
/// A supernet that can also run as a differentiable relaxation: every edge a mixed op weighted by the softmax of
/// architecture logits the caller owns (DARTS). The logits are not module parameters: the trainer keeps them, their
/// optimizer and their checkpoint entries.
/// </summary>
internal interface IMixedOpNetwork
{
    /// <summary>The logit tensors the network needs, by name, and their shapes (DARTS: normal and reduce, [14, 8]).</summary>
    IReadOnlyList<(string Name, long[] Shape)> ArchitectureShapes { get; }

    /// <summary>The relaxed forward with <paramref name="logits"/> in <see cref="ArchitectureShapes"/> order.</summary>
    Tensor MixedForward(Tensor x, IReadOnlyList<Tensor> logits);
}
