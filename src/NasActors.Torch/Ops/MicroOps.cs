using NasActors.Core;

namespace NasActors.Torch.Ops;

/// <summary>Builds an ENAS micro op by its name in the search space (<see cref="NasActors.Core.SearchSpaces.EnasMicroSpec.PaperOps"/>).</summary>
internal static class MicroOps
{
    public static MicroOp Create(string name, int channels) => name switch
    {
        "sep_conv_3x3" => new SepConv(channels, 3),
        "sep_conv_5x5" => new SepConv(channels, 5),
        "avg_pool_3x3" => new Pool3x3(channels, max: false),
        "max_pool_3x3" => new Pool3x3(channels, max: true),
        "identity" => new IdentityOp(channels),
        _ => throw new NasUserException($"unknown ENAS op '{name}': use sep_conv_3x3, sep_conv_5x5, avg_pool_3x3, max_pool_3x3 or identity in nas.spaces.enas-micro.ops"),
    };
}
