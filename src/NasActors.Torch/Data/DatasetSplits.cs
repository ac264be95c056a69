using TorchSharp;

namespace NasActors.Torch.Data;

/// <summary>
/// The three splits a SPOS search uses: supernet training, candidate validation, final test; and the augmentation of
/// training batches, if any (CIFAR-10).
/// </summary>
internal sealed class DatasetSplits : IDisposable
{
    private readonly Lazy<ImageDataset> _trainAndValidation;

    public DatasetSplits(ImageDataset train, ImageDataset validation, ImageDataset test, CifarAugment? augment = null)
    {
        (Train, Validation, Test, Augment) = (train, validation, test, augment);
        // A copy, made once on first use (thread-safe: trainers share the splits): only retraining with nas.retrain.include-validation needs it.
        _trainAndValidation = new(() => new ImageDataset(torch.cat([train.Images, validation.Images]), torch.cat([train.Labels, validation.Labels])));
    }

    public CifarAugment? Augment { get; }
    public ImageDataset Train { get; }
    public ImageDataset Validation { get; }
    public ImageDataset Test { get; }

    /// <summary>The training split followed by the validation split (every image but the test split's).</summary>
    public ImageDataset TrainAndValidation => _trainAndValidation.Value;

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
        if (_trainAndValidation.IsValueCreated) _trainAndValidation.Value.Dispose();
    }
}
