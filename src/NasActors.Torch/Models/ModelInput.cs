using System.Collections.Immutable;
using NasActors.Core;
using NasActors.Torch.Data;

namespace NasActors.Torch.Models;

/// <summary>What a model takes: images of the dataset it was trained on, [N, Channels, Height, Width], normalized per channel.</summary>
public sealed record ModelInput(string Dataset, int Channels, int Height, int Width, ImmutableArray<float> Mean, ImmutableArray<float> Std, ImmutableArray<string> Classes)
{
    // The datasets' own class names (Fashion-MNIST's README; CIFAR-10's batches.meta.txt), in label order.
    private static readonly ImmutableArray<string> FashionClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
    private static readonly ImmutableArray<string> CifarClasses = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The input of nas.data.dataset <paramref name="dataset"/>.</summary>
    public static ModelInput For(string dataset) => dataset switch
    {
        "fashion-mnist" => new(dataset, 1, FashionMnist.Side, FashionMnist.Side, [FashionMnist.Mean], [FashionMnist.Std], FashionClasses),
        "cifar10" => new(dataset, Cifar10.Channels, Cifar10.Side, Cifar10.Side, [.. Cifar10.Mean], [.. Cifar10.Std], CifarClasses),
        _ => throw new NasUserException($"dataset '{dataset}' has no model input; use fashion-mnist or cifar10"),
    };
}
