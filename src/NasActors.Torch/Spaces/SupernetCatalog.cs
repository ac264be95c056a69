using NasActors.Core;
using NasActors.Core.SearchSpaces;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces;

/// <summary>
/// The supernet module that realises each registered space's spec (the space's Core module says what the spec is and
/// how it reads; this says which network trains it). A new space adds its line here.
/// </summary>
public static class SupernetCatalog
{
    private static readonly Dictionary<string, Func<object, nn.Module<Tensor, Architecture, Tensor>>> Builders = new()
    {
        ["spos-shufflenet"] = spec => new SposSupernet((SupernetSpec)spec),
        ["enas-micro"] = spec => new EnasMicroSupernet((EnasMicroSpec)spec),
    };

    public static bool Has(string space) => Builders.ContainsKey(space);

    /// <summary>A fresh supernet for <paramref name="spec"/> of space <paramref name="space"/>.</summary>
    public static nn.Module<Tensor, Architecture, Tensor> Create(string space, object spec) =>
        Builders.TryGetValue(space, out var build) ? build(spec)
        : throw new NasUserException($"space '{space}' has no supernet module registered with the Torch layer (SupernetCatalog)");

    /// <summary>Registers a plugin space's supernet.</summary>
    public static void Register(string space, Func<object, nn.Module<Tensor, Architecture, Tensor>> build)
    {
        if (!Builders.TryAdd(space, build)) throw new NasUserException($"space '{space}' has a supernet module registered twice");
    }
}
