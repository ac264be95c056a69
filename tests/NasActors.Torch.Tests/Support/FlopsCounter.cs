using NasActors.Torch.Mutables;
using NasActors.Torch.Tests.Support;
using System.Collections.Immutable;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Torch.Data;
using NasActors.Torch.Ops;
using NasActors.Torch.Spaces;
using static TorchSharp.torch;

namespace NasActors.Torch.Tests.Support;

/// <summary>
/// Builds the additive cost table of a supernet (SPOS, ENAS micro) from its real modules. FLOPs are multiply-accumulates of one
/// 28x28 image: conv = Cout*Hout*Wout*(Cin/groups)*k*k, linear = in*out; BN, ReLU, concat, shuffle and pooling are
/// not counted (the usual convention; BN folds into the conv at inference). Params are the element counts of every
/// parameter (conv and linear weights, linear bias, BN weight and bias); BN running statistics are buffers and not
/// counted. SPOS: base = stem + head + classifier; each entry = one candidate block.
/// The hand-derived count the generic one (ModelSpace.CheckAndCount, from forward hooks) is checked against.
/// </summary>
internal static class FlopsCounter
{
    public static CostTable Count(SposSupernet net)
    {
        long h = FashionMnist.Side, w = FashionMnist.Side;
        var baseFlops = net.Stem.Macs(h, w, out h, out w);
        var entries = ImmutableDictionary.CreateBuilder<string, ArchitectureCost>(StringComparer.Ordinal);
        foreach (var block in net.Blocks)
        {
            long? hNext = null, wNext = null;
            foreach (var (name, candidate) in block.Candidates)
            {
                var flops = ((ShuffleNetV2Block)candidate).Macs(h, w, out var ho, out var wo);
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

    /// <summary>
    /// The ENAS micro supernet's table. Base = stem + every cell's two input preprocessings and output projection +
    /// classifier (a path always runs all of them). Entry (c/op_i_j, op) = that op's MACs and params summed over every
    /// cell of type c (they all take the same choice); entries of input choices cost 0 (the wiring is free: every node
    /// is concatenated into the output anyway).
    /// </summary>
    public static CostTable Count(EnasMicroSupernet net)
    {
        long baseFlops = net.Stem.Macs(FashionMnist.Side, FashionMnist.Side, out _, out _);
        var baseParams = ParameterCount(net.Stem) + ParameterCount(net.Classifier);
        var entries = new Dictionary<string, ArchitectureCost>(StringComparer.Ordinal);
        foreach (var c in net.Space.Choices.Where(c => c.Kind == ChoiceKind.Input))
            foreach (var v in c.Candidates) entries[CostTable.EntryKey(c.Key, v)] = new ArchitectureCost(0, 0);
        foreach (var cell in net.Cells)
        {
            long r = cell.Resolution;
            baseFlops += cell.Preprocess0.Macs(cell.Input0.Resolution, cell.Input0.Resolution, out var h0, out _);
            baseFlops += cell.Preprocess1.Macs(cell.Input1.Resolution, cell.Input1.Resolution, out var h1, out _);
            baseFlops += cell.Output.Macs(r, r, out var h2, out _);
            if (h0 != r || h1 != r || h2 != r)
                throw new InvalidOperationException($"a {cell.CellType} cell at {r}x{r} computes {h0}/{h1}/{h2}");
            baseParams += ParameterCount(cell.Preprocess0) + ParameterCount(cell.Preprocess1) + ParameterCount(cell.Output);
            foreach (var choice in cell.Ops)
                foreach (var (name, op) in choice.Candidates)
                {
                    var key = CostTable.EntryKey(choice.Key, name);
                    var sum = entries.GetValueOrDefault(key, new ArchitectureCost(0, 0));
                    entries[key] = new ArchitectureCost(sum.Flops + ((MicroOp)op).Macs(r, r), sum.Params + ParameterCount(op));
                }
        }
        baseFlops += net.Classifier.in_features * net.Classifier.out_features;
        return new CostTable(new ArchitectureCost(baseFlops, baseParams), entries.ToImmutableDictionary(StringComparer.Ordinal));
    }

    public static long ParameterCount(nn.Module module) => module.parameters().Sum(p => p.numel());
}
