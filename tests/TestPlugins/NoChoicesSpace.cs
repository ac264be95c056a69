using NasActors.Torch.Mutables;
using TorchSharp;
using static TorchSharp.torch;

namespace TestPlugins;

/// <summary>nas.space = no-choices: an ordinary model without mutables.</summary>
public sealed class NoChoicesSpace : ModelSpaceModule
{
    public override string Name => "no-choices";
    public override string Description => "test: a model without choices";

    public override nn.Module<Tensor, Tensor> CreateModel(object spec) => nn.Sequential(nn.Flatten(), nn.Linear(784, 10));
}
