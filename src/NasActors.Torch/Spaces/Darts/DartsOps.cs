using NasActors.Core.SearchSpaces.Darts;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces.Darts;

/// <summary>
/// The official DARTS OPS table (operations.py) for the seven ops of <see cref="DartsSpace.Ops"/>. The search network
/// follows each pool with BN without affine parameters (model_search.py's MixedOp); the evaluation network
/// (<paramref name="barePools"/>, model.py) uses the bare pools.
/// </summary>
internal static class DartsOps
{
    public static nn.Module<Tensor, Tensor> Create(string op, int channels, int stride, bool affine, bool barePools = false) => op switch
    {
        "max_pool_3x3" when barePools => nn.MaxPool2d(3, stride: stride, padding: 1),
        "avg_pool_3x3" when barePools => nn.AvgPool2d(3, stride: stride, padding: 1, count_include_pad: false),
        "max_pool_3x3" => new PoolBn(max: true, channels, stride),
        "avg_pool_3x3" => new PoolBn(max: false, channels, stride),
        "skip_connect" => stride == 1 ? nn.Identity() : new FactorizedReduce(channels, channels, affine),
        "sep_conv_3x3" => new SepConv(channels, 3, stride, affine),
        "sep_conv_5x5" => new SepConv(channels, 5, stride, affine),
        "dil_conv_3x3" => new DilConv(channels, 3, stride, affine),
        "dil_conv_5x5" => new DilConv(channels, 5, stride, affine),
        _ => throw new ArgumentException($"'{op}' is not a DARTS op; known: {string.Join(", ", DartsSpace.Ops)}"),
    };
}
