using System.Runtime.CompilerServices;

namespace NasActors.Torch.Tests.Support;

internal static class NativeSettings
{
    /// <summary>
    /// libtorch's process-wide settings (NNPACK off) before any test runs: tests run in parallel, and one that turned
    /// them on midway would change the kernels under another test comparing two runs bit for bit.
    /// </summary>
    [ModuleInitializer]
    internal static void Apply() => NativeTorch.Configure();
}
