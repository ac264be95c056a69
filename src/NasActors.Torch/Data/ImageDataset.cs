using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Data;

/// <summary>
/// Normalized images [N,1,28,28] float32 and labels [N] int64 on the CPU. Read-only after construction, so several
/// trainer threads may gather batches from one instance at the same time.
/// </summary>
internal sealed class ImageDataset : IDisposable
{
    public Tensor Images { get; }
    public Tensor Labels { get; }
    public int Count { get; }

    /// <summary>Takes ownership of both tensors and detaches them from any dispose scope: they live as long as this object.</summary>
    public ImageDataset(Tensor images, Tensor labels)
    {
        if (images.dim() != 4 || labels.dim() != 1 || images.shape[0] != labels.shape[0])
            throw new ArgumentException($"images {Shape(images)} and labels {Shape(labels)} do not form a dataset");
        if (images.dtype != ScalarType.Float32 || labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"images must be float32 and labels int64, got {images.dtype} and {labels.dtype}");
        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        Count = (int)images.shape[0];
    }

    /// <summary>Copies the rows at <paramref name="indices"/>; the results belong to the caller's dispose scope.</summary>
    public (Tensor X, Tensor Y) Gather(long[] indices)
    {
        using var idx = torch.tensor(indices, ScalarType.Int64);
        return (Images.index_select(0, idx), Labels.index_select(0, idx));
    }

    /// <summary>A contiguous range as views (no copy); the views belong to the caller's dispose scope.</summary>
    public (Tensor X, Tensor Y) Range(int start, int length) =>
        (Images.narrow(0, start, length), Labels.narrow(0, start, length));

    private static string Shape(Tensor t) => "[" + string.Join(",", t.shape) + "]";

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
