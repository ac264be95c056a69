using static TorchSharp.torch;

namespace NasActors.Torch.Ops;

/// <summary>ENAS's identity op: the node input unchanged (ops are all stride 1, so no projection is needed).</summary>
internal sealed class IdentityOp : MicroOp
{
    public IdentityOp(int channels) : base(nameof(IdentityOp), channels) => RegisterComponents();

    public override Tensor forward(Tensor x) => x;

    public override long Macs(long h, long w) => 0;
}
