using System.Globalization;
using NasActors.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>Parses a trainer device name ("cpu", "cpu:N", "cuda:N") into a libtorch device this build can use.</summary>
internal static class TrainerDevice
{
    public static Device Resolve(string name)
    {
        var (kind, index) = Split(name);
        switch (kind)
        {
            case "cpu":
                // "cpu:N" names the N-th CPU trainer; all of them run on the one CPU device.
                return CPU;
            case "cuda":
#if NAS_CUDA
                if (!cuda.is_available())
                    throw new NasUserException($"device {name}: CUDA is not available on this machine (driver or GPU missing); use nas.trainers.devices = [cpu]");
                if (index >= cuda.device_count())
                    throw new NasUserException($"device {name}: this machine has {cuda.device_count()} CUDA device(s); use cuda:0 .. cuda:{cuda.device_count() - 1}");
                return new Device(DeviceType.CUDA, index);
#else
                throw new NasUserException($"device {name} needs a CUDA build: rebuild with -p:NasTorchBackend=cuda, or use nas.trainers.devices = [cpu]");
#endif
            default:
                throw new NasUserException($"unknown trainer device '{name}': use cpu, cpu:N or cuda:N in nas.trainers.devices");
        }
    }

    private static (string Kind, int Index) Split(string name)
    {
        var s = (name ?? "").Trim().ToLowerInvariant();
        var colon = s.IndexOf(':');
        if (colon < 0) return (s, 0);
        var kind = s[..colon];
        if (!int.TryParse(s[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            throw new NasUserException($"unknown trainer device '{name}': the part after ':' must be a device number (cpu:0, cuda:1)");
        return (kind, index);
    }
}
