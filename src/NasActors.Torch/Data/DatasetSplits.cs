namespace NasActors.Torch.Data;

/// <summary>
/// The three splits a SPOS search uses: supernet training, candidate validation, final test; and the augmentation of
/// training batches, if any (CIFAR-10).
/// </summary>
internal sealed class DatasetSplits(ImageDataset train, ImageDataset validation, ImageDataset test, CifarAugment? augment = null) : IDisposable
{
    public CifarAugment? Augment { get; } = augment;
    public ImageDataset Train { get; } = train;
    public ImageDataset Validation { get; } = validation;
    public ImageDataset Test { get; } = test;

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
