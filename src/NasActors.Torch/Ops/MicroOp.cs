using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Ops;

/// <summary>
/// One candidate op of an ENAS micro cell node: stride 1, <see cref="Channels"/> in and out, so every op of a node
/// maps the same input shape to the same output shape.
/// </summary>
internal abstract class MicroOp : nn.Module<Tensor, Tensor>
{
    protected MicroOp(string name, int channels) : base(name) => Channels = channels;

    public int Channels { get; }

    /// <summary>Multiply-accumulates for an h x w input (the output has the same size); 0 for pools and identity.</summary>
    public abstract long Macs(long h, long w);
}
