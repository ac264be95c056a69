using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Ops;

/// <summary>
/// nn.BatchNorm2d with the same parameters, buffers and arithmetic, but a forward that holds every Scalar it passes to
/// libtorch. TorchSharp 0.107's BatchNorm.forward counts batches with <c>num_batches_tracked.add_(1)</c>, whose
/// implicit Scalars (the 1 and the alpha) nothing holds during the native call: a GC started by another trainer
/// thread can finalize them mid-call, and libtorch then reads freed memory (seen as "For integral input tensors,
/// argument alpha must not be a floating point number" in the default job; dotnet/TorchSharp#1434 is the upstream fix,
/// not released). User models may use this in place of nn.BatchNorm2d for the same reason.
/// </summary>
public sealed class SafeBatchNorm2d : BatchNorm
{
    private readonly Scalar _one = 1.ToScalar();

    /// <summary>As <c>nn.BatchNorm2d(features, eps, momentum, affine)</c>, tracking running statistics.</summary>
    public SafeBatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1, bool affine = true)
        : base(features, eps, momentum, affine, track_running_stats: true, device: null, dtype: null, nameof(BatchNorm2d))
    {
    }

    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        var factor = momentum ?? 0.0;
        if (training && num_batches_tracked is { } count)
        {
            count.add_(_one, _one);
            // momentum null (a cumulative average) as in TorchSharp: 1 / batches seen.
            if (momentum is null) factor = 1.0 / count.item<long>();
        }
        // batch_norm takes its doubles as doubles (no Scalars); eval uses the running statistics (batch ones if a user
        // removed them, as TorchSharp does).
        var batchStats = training || (running_mean is null && running_var is null);
        return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, batchStats, factor, eps);
    }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"expected 4D input, but got {input.ndim}D input.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _one.Dispose();
        base.Dispose(disposing);
    }
}
