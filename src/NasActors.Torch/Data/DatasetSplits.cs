namespace NasActors.Torch.Data;

/// <summary>The three splits a SPOS search uses: supernet training, candidate validation, final test.</summary>
internal sealed class DatasetSplits(ImageDataset train, ImageDataset validation, ImageDataset test) : IDisposable
{
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
