using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.SearchSpaces;
using NasActors.Core.SearchSpaces.Darts;
using NasActors.Torch.Data;
using NasActors.Torch.Mutables;
using NasActors.Torch.Spaces.Darts;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces;

/// <summary>
/// The model that realises each registered space: a <see cref="ModelSpaceModule"/> (a user's space, library or plugin)
/// builds its own; the built-in spaces, whose Core modules stay free of TorchSharp, are listed here.
/// </summary>
public static class SupernetCatalog
{
    private static readonly long[] FashionMnistInput = [1, 1, FashionMnist.Side, FashionMnist.Side];

    // Each built-in model with the shape of one example input (batch 1).
    private static readonly Dictionary<string, Func<object, (nn.Module<Tensor, Tensor> Model, long[] Input)>> BuiltIn = new()
    {
        ["spos-shufflenet"] = spec => (new SposSupernet((SupernetSpec)spec), FashionMnistInput),
        ["enas-micro"] = spec => (new EnasMicroSupernet((EnasMicroSpec)spec), FashionMnistInput),
        [DartsSpace.Name] = spec => (new DartsNetwork((DartsSpec)spec), Darts.DartsInput.Shape((DartsSpec)spec)),
    };

    /// <summary>
    /// The network a retrain trains for <paramref name="spec"/>: the DARTS evaluation network (affine BN, bare pools,
    /// drop path; the auxiliary head when <paramref name="auxiliaryHead"/>), every other space's own model. Read as a
    /// space so that it can be fixed to one architecture.
    /// </summary>
    public static ModelSpace CreateForRetrain(SpaceModule space, object spec, bool auxiliaryHead)
    {
        if (space.Name != DartsSpace.Name || space is ModelSpaceModule) return Create(space, spec);
        var darts = (DartsSpec)spec;
        return ModelSpace.Create(space.Name, new DartsNetwork(darts, evaluation: true, auxiliaryHead: auxiliaryHead), Darts.DartsInput.Shape(darts));
    }

    /// <summary>A fresh supernet for <paramref name="spec"/> of <paramref name="space"/>, read as a search space.</summary>
    public static ModelSpace Create(SpaceModule space, object spec)
    {
        if (space is ModelSpaceModule m) return m.CreateModelSpace(spec);
        if (!BuiltIn.TryGetValue(space.Name, out var build))
            throw new NasUserException($"space '{space.Name}' has no model: derive its module from NasActors.Torch.Mutables.ModelSpaceModule");
        var (model, input) = build(spec);
        return ModelSpace.Create(space.Name, model, input);
    }
}
