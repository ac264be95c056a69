using NasActors.Core.Engine;
using NasActors.Core.SearchSpaces;
using NasActors.Torch.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Mutables;

/// <summary>
/// A search space written as a TorchSharp model with mutables, registered by name (nas.space = NAME). Derive from it in
/// a library or a plugin assembly: give the name, a description and <see cref="CreateModel"/>; optionally a config
/// section (nas.spaces.NAME) read by <see cref="SpaceModule.ReadSpec"/>. The search space is read from the model.
/// </summary>
public abstract class ModelSpaceModule : SpaceModule
{
    /// <summary>No keys by default; a module with settings overrides this and <see cref="ReadSpec"/>.</summary>
    public override string ConfigSection => "";

    public override object ReadSpec(ISettingsSource section) => new object();

    /// <summary>A fresh supernet: every candidate with weights. Called once per trainer and for reading the space.</summary>
    public abstract nn.Module<Tensor, Tensor> CreateModel(object spec);

    /// <summary>One example input, batch of 1: [1, 1, 28, 28] for Fashion-MNIST.</summary>
    public virtual long[] InputShape => [1, 1, FashionMnist.Side, FashionMnist.Side];

    public ModelSpace CreateModelSpace(object spec)
    {
        NativeTorch.Configure(); // a model's constructor may already run a convolution (see ModelSpace.Create)
        return ModelSpace.Create(Name, CreateModel(spec), InputShape);
    }

    public override SearchSpace CreateSpace(object spec)
    {
        using var m = CreateModelSpace(spec);
        return m.Space;
    }
}
