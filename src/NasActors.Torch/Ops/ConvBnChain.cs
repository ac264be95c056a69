using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Ops;

/// <summary>A straight chain of <see cref="ConvBn"/> units (a ShuffleNetV2 branch).</summary>
internal sealed class ConvBnChain : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ConvBn> units;

    public ConvBnChain(params ConvBn[] chain) : base(nameof(ConvBnChain))
    {
        units = new ModuleList<ConvBn>(chain);
        RegisterComponents();
    }

    public int Count => units.Count;

    public override Tensor forward(Tensor x)
    {
        foreach (var u in units) x = u.call(x);
        return x;
    }

    public long Macs(long hIn, long wIn, out long hOut, out long wOut)
    {
        long macs = 0;
        (hOut, wOut) = (hIn, wIn);
        foreach (var u in units) macs += u.Macs(hOut, wOut, out hOut, out wOut);
        return macs;
    }
}
