using NasActors.Torch.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Spaces.Darts;

/// <summary>
/// DARTS's AuxiliaryHeadCIFAR (official model.py): ReLU → 5x5 average pool to 2x2 → 1x1 conv to 128 → BN → ReLU → 2x2
/// conv to 768 → BN → ReLU → linear to 10. The official pool has stride 3 for CIFAR's 8x8 map; the stride here is
/// side - 5, so Fashion-MNIST's 7x7 map (28 → 14 → 7) pools to 2x2 too.
/// </summary>
internal sealed class AuxiliaryHead : nn.Module<Tensor, Tensor>
{
    private readonly AvgPool2d pool;
    private readonly Conv2d conv1;
    private readonly SafeBatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly SafeBatchNorm2d bn2;
    private readonly Linear classifier;

    public AuxiliaryHead(int channels, int side, int classes = 10) : base(nameof(AuxiliaryHead))
    {
        if (side < 6) throw new ArgumentException($"the auxiliary head needs a map of at least 6x6 at 2/3 depth, not {side}x{side}");
        pool = nn.AvgPool2d(5, stride: side - 5, padding: 0, count_include_pad: false);
        conv1 = nn.Conv2d(channels, 128, 1, bias: false);
        bn1 = new SafeBatchNorm2d(128);
        conv2 = nn.Conv2d(128, 768, 2, bias: false);
        bn2 = new SafeBatchNorm2d(768);
        classifier = nn.Linear(768, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = pool.call(nn.functional.relu(x));
        y = nn.functional.relu(bn1.call(conv1.call(y)));
        y = nn.functional.relu(bn2.call(conv2.call(y)));
        return classifier.call(y.flatten(1));
    }
}
