using NasActors.Torch.Mutables;
using NasActors.Torch.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MnistSkip;

/// <summary>
/// The MNIST network of NNI's search-space page with its mutables, for 28x28 grayscale images: conv1 is a 3x3 or a
/// 5x5 convolution (padded so both give 26x26), conv2 and conv3 have a searched width, a skip connection around conv3
/// is on or off, fc1 has a searched width and the second dropout a searched rate. Differences from NNI's page: batch
/// norm after conv1 and conv2 (without it, plain SGD on this network diverged at every learning rate we tried), and
/// SeededDropout instead of nn.Dropout2d/Dropout (libtorch's draws from a process-wide generator shared by the trainer
/// threads; this one is seeded per step, so results stay reproducible), and SafeBatchNorm2d instead of nn.BatchNorm2d
/// (TorchSharp's lets a GC on another trainer thread free a Scalar during its native call).
/// </summary>
public sealed class MnistSkipNet : nn.Module<Tensor, Tensor>
{
    private readonly LayerChoice conv1;
    private readonly SafeBatchNorm2d bn1;
    private readonly ValueChoice<int> width;
    private readonly LayerChoice conv2;
    private readonly LayerChoice bn2;
    private readonly LayerChoice conv3;
    private readonly InputChoice skipcon;
    private readonly SeededDropout dropout1;
    private readonly ValueChoice<int> hidden;
    private readonly LayerChoice fc1;
    private readonly SeededDropout dropout2;
    private readonly LayerChoice fc2;

    public MnistSkipNet() : base(nameof(MnistSkipNet))
    {
        conv1 = new LayerChoice("conv1",
            ("conv3x3", nn.Conv2d(1, 32, 3, 1)),
            ("conv5x5", nn.Conv2d(1, 32, 5, 1, padding: 1)));
        bn1 = new SafeBatchNorm2d(32);
        width = new ValueChoice<int>("width", 32, 64);
        conv2 = width.Select(w => nn.Conv2d(32, w, 3, 1));
        bn2 = width.Select(w => new SafeBatchNorm2d(w));
        conv3 = width.Select(w => nn.Conv2d(w, w, 1, 1));
        // One candidate, any number chosen: the skip connection is there or not (NNI: "choose one or None").
        skipcon = new InputChoice("skipcon", 1, nChosen: null);
        dropout1 = new SeededDropout(0.25);
        hidden = new ValueChoice<int>("hidden", 64, 128, 256);
        fc1 = width.Select(w => hidden.Select(h => nn.Linear(w * 12 * 12, h)));
        dropout2 = new SeededDropout(new ValueChoice<double>("dropout", 0.25, 0.5));
        fc2 = hidden.Select(h => nn.Linear(h, 10));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = nn.functional.relu(bn1.call(conv1.call(x)));
        x = nn.functional.relu(bn2.call(conv2.call(x)));
        var x0 = skipcon.forward(x);
        x = conv3.call(x);
        if (x0 is not null) x = x.add(x0, HeldScalars.One);
        x = dropout1.call(nn.functional.max_pool2d(x, 2));
        x = dropout2.call(nn.functional.relu(fc1.call(x.flatten(1))));
        return fc2.call(x);
    }
}
