using NasActors.Torch.Tests.Support;
using System.Runtime.CompilerServices;
using NasActors.Core.SearchSpaces;
using NasActors.Torch.Data;
using NasActors.Torch.Mutables;
using NasActors.Torch.Spaces;
using static TorchSharp.torch;

namespace NasActors.Torch.Tests.Support;

/// <summary>
/// <c>net.forward(x, arch)</c> for the built-in supernets in tests: the single path through the net's
/// <see cref="ModelSpace"/> (read once per net and kept beside it).
/// </summary>
internal static class ArchitectureForward
{
    private static readonly ConditionalWeakTable<nn.Module, ModelSpace> Spaces = [];

    public static ModelSpace SpaceOf(nn.Module<Tensor, Tensor> net, string name) =>
        Spaces.GetValue(net, n => ModelSpace.Create(name, (nn.Module<Tensor, Tensor>)n, 1, 1, FashionMnist.Side, FashionMnist.Side));

    public static Tensor forward(this SposSupernet net, Tensor x, Architecture arch) => SpaceOf(net, "spos-shufflenet").Forward(x, arch);

    public static Tensor forward(this EnasMicroSupernet net, Tensor x, Architecture arch) => SpaceOf(net, "enas-micro").Forward(x, arch);
}
