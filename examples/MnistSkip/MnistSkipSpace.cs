using NasActors.Torch.Mutables;
using static TorchSharp.torch;

namespace MnistSkip;

/// <summary>The space registered as nas.space = mnist-skip (in code by Program, or as a plugin through nas.plugins).</summary>
public sealed class MnistSkipSpace : ModelSpaceModule
{
    public override string Name => "mnist-skip";

    public override string Description => "NNI's MNIST example: conv1 3x3/5x5, conv2/conv3 width 32/64, skip connection on/off, fc1 width 64/128/256, dropout 0.25/0.5";

    public override nn.Module<Tensor, Tensor> CreateModel(object spec) => new MnistSkipNet();
}
