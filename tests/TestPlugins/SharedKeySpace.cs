using NasActors.Torch.Mutables;
using TorchSharp;
using static TorchSharp.torch;

namespace TestPlugins;

/// <summary>nas.space = shared-key: two layer choices share the key "op" but offer different candidates.</summary>
public sealed class SharedKeySpace : ModelSpaceModule
{
    public override string Name => "shared-key";
    public override string Description => "test: one key, two different choices";

    public override nn.Module<Tensor, Tensor> CreateModel(object spec) => new Net();

    private sealed class Net : nn.Module<Tensor, Tensor>
    {
        private readonly LayerChoice first;
        private readonly LayerChoice second;
        private readonly TorchSharp.Modules.Linear fc;

        public Net() : base(nameof(Net))
        {
            first = new LayerChoice("op", ("relu", nn.ReLU()), ("tanh", nn.Tanh()));
            second = new LayerChoice("op", ("relu", nn.ReLU()), ("sigmoid", nn.Sigmoid()));
            fc = nn.Linear(784, 10);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => fc.call(second.call(first.call(x.flatten(1))));
    }
}
