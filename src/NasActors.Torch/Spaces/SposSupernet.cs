using NasActors.Core.SearchSpaces;
using NasActors.Torch.Data;
using NasActors.Torch.Mutables;
using NasActors.Torch.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces;

/// <summary>
/// The SPOS ShuffleNetV2 supernet for 28x28 grayscale images: 3x3 stem (1 → StemChannels, stride 1) → BN → ReLU,
/// then per stage StageDepths[s] choice blocks (the first with stride 2 and width StageChannels[s]), then a 1x1
/// conv to 2 x the last stage width (SPOS widens before pooling too; 2x keeps the head small on CPU) → BN → ReLU,
/// global average pool, linear to 10 classes. No dropout: it would draw from libtorch's global generator and break
/// determinism. Each block is a public <see cref="LayerChoice"/> keyed stage{s}/block{b}: the space is read from
/// this model by <see cref="ModelSpace"/>, as for a user's model.
/// </summary>
internal sealed class SposSupernet : nn.Module<Tensor, Tensor>
{

    private readonly ConvBn stem;
    private readonly ModuleList<LayerChoice> blocks;
    private readonly ConvBn head;
    private readonly Linear classifier;

    public SupernetSpec Spec { get; }

    public SposSupernet(SupernetSpec spec) : base(nameof(SposSupernet))
    {
        spec.Validate();
        Spec = spec;
        stem = new ConvBn(1, spec.StemChannels, 3);
        blocks = new ModuleList<LayerChoice>();
        var width = spec.StemChannels;
        for (var s = 0; s < spec.StageDepths.Length; s++)
            for (var b = 0; b < spec.StageDepths[s]; b++)
            {
                var outWidth = spec.StageChannels[s];
                var (inWidth, stride) = (width, b == 0 ? 2 : 1);
                blocks.Add(new LayerChoice(SposSpace.BlockKey(s, b), spec.Candidates.Select(c => (c, (nn.Module<Tensor, Tensor>)CandidateOps.Create(c, inWidth, outWidth, stride)))));
                width = outWidth;
            }
        LastWidth = 2 * width;
        head = new ConvBn(width, LastWidth, 1);
        classifier = nn.Linear(LastWidth, FashionMnist.Classes);
        RegisterComponents();
        Blocks = [.. blocks];
    }

    public int LastWidth { get; }
    public ConvBn Stem => stem;
    public IReadOnlyList<LayerChoice> Blocks { get; }
    public ConvBn Head => head;
    public Linear Classifier => classifier;

    public override Tensor forward(Tensor x)
    {
        x = stem.call(x);
        foreach (var block in blocks) x = block.call(x);
        x = head.call(x);
        x = x.mean([2, 3]);
        return classifier.call(x);
    }
}
