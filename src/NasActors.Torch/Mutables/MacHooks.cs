using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Mutables;

/// <summary>
/// Counts multiply-accumulates of conv and linear layers from forward hooks (the shapes they really ran with), the
/// convention of every cost in NasActors: conv Cout·Hout·Wout·(Cin/groups)·prod(kernel), linear in·out per row.
/// Hand-written: TorchSharp has no FLOP counter.
/// </summary>
internal static class MacHooks
{
    public static IDisposable Register(nn.Module module, Action<Tensor, Tensor> ran)
    {
        var typed = (nn.Module<Tensor, Tensor>)module;
        var handle = typed.register_forward_hook((m, input, output) =>
        {
            ran(input, output);
            return output;
        });
        return new Remover(() => handle.remove());
    }

    /// <summary>MACs of one example (the batch dimension divided out).</summary>
    public static long Macs(nn.Module module, Tensor output)
    {
        var batch = output.shape[0];
        return module switch
        {
            Conv2d c => output.numel() / batch * (c.in_channels / c.groups) * c.kernel_size[0] * c.kernel_size[1],
            Conv1d c => output.numel() / batch * (c.in_channels / c.groups) * c.kernel_size[0],
            Linear l => output.numel() / batch * l.in_features,
            _ => 0,
        };
    }

    private sealed class Remover(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
