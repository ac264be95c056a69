using TorchSharp;

namespace NasActors.Torch.Ops;

/// <summary>
/// Scalars that live as long as the process, for TorchSharp calls that otherwise make an implicit temporary:
/// <c>a.add(b)</c> and <c>t.add_(s)</c> pass an alpha of 1 that nothing holds during the native call, and a GC on
/// another trainer thread can finalize it mid-call (see <see cref="SafeBatchNorm2d"/>). Write <c>a.add(b, HeldScalars.One)</c>.
/// libtorch only reads a Scalar, so one instance serves every thread.
/// </summary>
public static class HeldScalars
{
    public static readonly Scalar One = 1.ToScalar();
}
