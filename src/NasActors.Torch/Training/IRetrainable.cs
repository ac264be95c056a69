using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>
/// A network that implements retraining tricks of its own (the DARTS evaluation network: drop path, auxiliary head).
/// The retrainer sets them per epoch and per batch; a network without this interface has neither.
/// </summary>
internal interface IRetrainable
{
    /// <summary>Drop-path probability of the current epoch (applied in training mode only).</summary>
    double DropPath { get; set; }

    /// <summary>Seeds the drop-path masks of the next forward (one draw per sample and dropped op, in forward order).</summary>
    void SeedDropPath(long seed);

    /// <summary>The auxiliary head's logits of the last training-mode forward (then forgotten); null without a head.</summary>
    Tensor? TakeAuxiliary();

    /// <summary>Parameters of the auxiliary head (not part of the model's reported size, as DARTS counts it).</summary>
    long AuxiliaryParameters { get; }
}
