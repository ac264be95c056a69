using NasActors.Core;
using NasActors.Core.Training;

namespace NasActors.Torch.Data;

/// <summary>Loads the dataset nas.data.dataset names (the names of Catalog.Datasets).</summary>
internal static class Datasets
{
    public static DatasetSplits Load(DataSpec spec) => spec.Dataset switch
    {
        "fashion-mnist" => FashionMnist.Load(spec),
        "cifar10" => Cifar10.Load(spec),
        _ => throw new NasUserException($"nas.data.dataset = '{spec.Dataset}' has no loader; use fashion-mnist or cifar10"),
    };

    /// <summary>Refuses data whose images do not have the shape the space's model was built for (e.g. CIFAR-10 for a 28x28 space).</summary>
    public static DatasetSplits Fit(DatasetSplits data, string dataset, string space, IReadOnlyList<long> inputShape)
    {
        var image = data.Train.Images.shape[1..];
        if (image.SequenceEqual(inputShape.Skip(1))) return data;
        data.Dispose();
        var hint = space == Core.SearchSpaces.Darts.DartsSpace.Name ? $" (set nas.spaces.darts.dataset = {dataset})" : "";
        throw new NasUserException($"space '{space}' is built for {string.Join("x", inputShape.Skip(1))} images but nas.data.dataset = {dataset} has {string.Join("x", image)}; pick a space shaped for it{hint}");
    }
}
