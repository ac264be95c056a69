using NasActors.Core.SearchSpaces.Darts;
using NasActors.Torch.Ops;
using NasActors.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces.Darts;

/// <summary>
/// The DARTS network (official model_search.py, NNI's DARTS space): stem 3x3 conv (input → 3·C, stem multiplier 3) → BN,
/// then <see cref="DartsSpec.Cells"/> cells, the ones at Cells/3 and 2·Cells/3 reduction cells (width doubled, resolution
/// halved: 28 → 14 → 7, 32 → 16 → 8), then global average pool → linear to 10 classes. Every cell of a type shares
/// the type's decisions (<c>normal/*</c>, <c>reduce/*</c>); weights are per cell, per edge and op. BN has no affine
/// parameters in the cells, as in the official search network. With <c>evaluation</c> it is the official evaluation
/// network (model.py) that retraining uses: affine BN, bare pools, drop path on the single path's ops
/// (<see cref="IRetrainable"/>) and optionally the auxiliary head after the cell at 2·Cells/3.
/// </summary>
internal sealed class DartsNetwork : nn.Module<Tensor, Tensor>, IRetrainable, IMixedOpNetwork
{
    /// <summary>The official stem multiplier.</summary>
    public const int StemMultiplier = 3;

    private readonly Conv2d stemConv;
    private readonly SafeBatchNorm2d stemBn;
    private readonly ModuleList<DartsCell> cells;
    private readonly Linear classifier;
    private readonly AuxiliaryHead? auxiliary;
    private readonly DropPath _dropPath = new();
    private readonly int _auxiliaryAfter = -1;
    private Tensor? _auxiliaryLogits;

    public DartsNetwork(DartsSpec spec, bool affine = false, bool evaluation = false, bool auxiliaryHead = false) : base(nameof(DartsNetwork))
    {
        spec.Validate();
        Spec = spec;
        affine |= evaluation;
        var c = spec.Channels;
        var stem = StemMultiplier * c;
        stemConv = nn.Conv2d(spec.InputChannels, stem, 3, padding: 1, bias: false);
        stemBn = new SafeBatchNorm2d(stem);
        cells = new ModuleList<DartsCell>();
        int prevPrev = stem, prev = stem, current = c;
        var reductionPrev = false;
        for (var i = 0; i < spec.Cells; i++)
        {
            var reduction = DartsSpace.IsReduction(i, spec.Cells);
            if (reduction) current *= 2;
            var cell = new DartsCell(reduction, reductionPrev, prevPrev, prev, current, affine, evaluation, evaluation ? _dropPath : null);
            cells.Add(cell);
            if (auxiliaryHead && i == 2 * spec.Cells / 3)
            {
                // Official: the head reads the output of cell 2·layers/3 (the second reduction cell).
                var side = spec.Resolution;
                for (var r = 0; r <= i; r++) if (DartsSpace.IsReduction(r, spec.Cells)) side = (side + 1) / 2;
                auxiliary = new AuxiliaryHead(cell.OutputChannels, side);
                _auxiliaryAfter = i;
            }
            reductionPrev = reduction;
            (prevPrev, prev) = (prev, cell.OutputChannels);
        }
        classifier = nn.Linear(prev, 10);
        RegisterComponents();
    }

    public DartsSpec Spec { get; }
    public IReadOnlyList<DartsCell> Cells => [.. cells];

    public IReadOnlyList<(string Name, long[] Shape)> ArchitectureShapes { get; } =
        [.. DartsSpace.CellTypes.Select(c => (c, new long[] { DartsSpace.EdgeCount, DartsSpace.SearchOps.Length }))];

    public Tensor MixedForward(Tensor x, IReadOnlyList<Tensor> logits) => MixedForward(x, logits[0], logits[1]);

    /// <summary>
    /// The DARTS search network's forward (official Network.forward): every edge a mixed op weighted by the softmax of
    /// the architecture logits, [14, 8] per cell type ('none' first).
    /// </summary>
    public Tensor MixedForward(Tensor x, Tensor normalLogits, Tensor reduceLogits) =>
        WeightedForward(x, normalLogits.softmax(-1), reduceLogits.softmax(-1));

    /// <summary>As <see cref="MixedForward"/> with the mixed ops' weights given directly ([14, 8] per cell type).</summary>
    public Tensor WeightedForward(Tensor x, Tensor normalWeights, Tensor reduceWeights)
    {
        var s1 = stemBn.call(stemConv.call(x));
        var s0 = s1;
        foreach (var cell in cells) (s0, s1) = (s1, cell.MixedForward(s0, s1, cell.Reduction ? reduceWeights : normalWeights));
        return classifier.call(s1.mean([2, 3]));
    }

    public override Tensor forward(Tensor x)
    {
        var s1 = stemBn.call(stemConv.call(x));
        var s0 = s1;
        _auxiliaryLogits = null;
        for (var i = 0; i < cells.Count; i++)
        {
            (s0, s1) = (s1, cells[i].call(s0, s1));
            if (i == _auxiliaryAfter && training) _auxiliaryLogits = auxiliary!.call(s1);
        }
        return classifier.call(s1.mean([2, 3]));
    }

    public double DropPath
    {
        get => _dropPath.Probability;
        set => _dropPath.Probability = value;
    }

    public void SeedDropPath(long seed) => _dropPath.Seed(seed);

    public Tensor? TakeAuxiliary()
    {
        var aux = _auxiliaryLogits;
        _auxiliaryLogits = null;
        return aux;
    }

    public long AuxiliaryParameters => auxiliary?.parameters().Sum(p => p.numel()) ?? 0;
}
