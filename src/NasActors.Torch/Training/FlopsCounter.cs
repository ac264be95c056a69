using System.Collections.Immutable;
using NasActors.Core.Experiments;
using NasActors.Torch.Ops;
using NasActors.Torch.Spaces;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>
/// Builds the additive cost table of a SPOS supernet from its real modules. FLOPs are multiply-accumulates of one
/// 28x28 image: conv = Cout*Hout*Wout*(Cin/groups)*k*k, linear = in*out; BN, ReLU, concat, shuffle and pooling are
/// not counted (the usual convention; BN folds into the conv at inference). Params are the element counts of every
/// parameter (conv and linear weights, linear bias, BN weight and bias); BN running statistics are buffers and not
/// counted. Base = stem + head + classifier; each entry = one candidate block.
/// </summary>
internal static class FlopsCounter
{
    public static CostTable Count(SposSupernet net)
    {
        long h = SposSupernet.ImageSide, w = SposSupernet.ImageSide;
        var baseFlops = net.Stem.Macs(h, w, out h, out w);
        var entries = ImmutableDictionary.CreateBuilder<string, ArchitectureCost>(StringComparer.Ordinal);
        foreach (var block in net.Blocks)
        {
            long? hNext = null, wNext = null;
            foreach (var (name, candidate) in block.Candidates)
            {
                var flops = candidate.Macs(h, w, out var ho, out var wo);
                if (hNext is not null && (hNext != ho || wNext != wo))
                    throw new InvalidOperationException($"candidates of {block.Key} disagree on the output size");
                (hNext, wNext) = (ho, wo);
                entries[CostTable.EntryKey(block.Key, name)] = new ArchitectureCost(flops, ParameterCount(candidate));
            }
            (h, w) = (hNext!.Value, wNext!.Value);
        }
        baseFlops += net.Head.Macs(h, w, out _, out _);
        baseFlops += net.Classifier.in_features * net.Classifier.out_features;
        var baseParams = ParameterCount(net.Stem) + ParameterCount(net.Head) + ParameterCount(net.Classifier);
        return new CostTable(new ArchitectureCost(baseFlops, baseParams), entries.ToImmutable());
    }

    public static long ParameterCount(nn.Module module) => module.parameters().Sum(p => p.numel());
}
