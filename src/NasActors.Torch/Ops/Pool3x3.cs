using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Ops;

/// <summary>avg_pool_3x3 (count_include_pad = false) or max_pool_3x3: 3x3 window, stride 1, padding 1. No parameters.</summary>
internal sealed class Pool3x3 : MicroOp
{
    public Pool3x3(int channels, bool max) : base(nameof(Pool3x3), channels)
    {
        Max = max;
        RegisterComponents();
    }

    public bool Max { get; }

    public override Tensor forward(Tensor x) => Max
        ? nn.functional.max_pool2d(x, 3, 1, 1)
        : nn.functional.avg_pool2d(x, 3, 1, 1, count_include_pad: false);

    public override long Macs(long h, long w) => 0;
}
