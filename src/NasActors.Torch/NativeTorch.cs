using System.Runtime.InteropServices;
using TorchSharp;

namespace NasActors.Torch;

/// <summary>
/// A libtorch setting TorchSharp does not expose. NNPACK is turned off, as Python's torch.backends.nnpack.set_flags(False)
/// does: on a CPU NNPACK does not support, libtorch's convolutions print "Could not initialize NNPACK! Reason: Unsupported
/// hardware." to stderr again and again (which breaks the CLI's one-line errors), and where it is supported results
/// would depend on the machine. TorchSharp has no binding for at::Context::setUserEnabledNNPACK, so it is called
/// through its Itanium-mangled C++ symbols in libtorch_cpu (Linux x64 builds); where they are missing nothing changes.
/// </summary>
public static class NativeTorch
{
    private static readonly Lock Gate = new();
    private static bool _configured;

    /// <summary>Applies the settings once per process, before the first convolution.</summary>
    public static void Configure()
    {
        // A lock, not a flag: a second caller must not go on to a convolution while the first is still loading libtorch.
        lock (Gate)
        {
            if (_configured || !OperatingSystem.IsLinux()) return;
            _configured = true;
            _ = torch.get_num_threads(); // TorchSharp loads libtorch (and libtorch_cpu) here
            try { SetUserEnabledNnpack(GlobalContext(), false); }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // Another libtorch build: NNPACK stays as it is (its warnings too).
            }
        }
    }

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
