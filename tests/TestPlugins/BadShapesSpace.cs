using NasActors.Torch.Mutables;
using TorchSharp;
using static TorchSharp.torch;

namespace TestPlugins;

/// <summary>nas.space = bad-shapes: the candidates of "conv" give 26x26 and 24x24 outputs.</summary>
public sealed class BadShapesSpace : ModelSpaceModule
{
    public override string Name => "bad-shapes";
    public override string Description => "test: candidates of one choice with different output shapes";

    public override nn.Module<Tensor, Tensor> CreateModel(object spec) => new Net();

    private sealed class Net : nn.Module<Tensor, Tensor>
    {
        private readonly LayerChoice conv;
        private readonly TorchSharp.Modules.Linear fc;

        public Net() : base(nameof(Net))
        {
            conv = new LayerChoice("conv", ("k3", nn.Conv2d(1, 4, 3)), ("k5", nn.Conv2d(1, 4, 5)));
            fc = nn.Linear(4, 10);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => fc.call(conv.call(x).mean([2, 3]));
    }
}
