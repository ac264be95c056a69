using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.SearchSpaces.Darts;
using NasActors.Core.Training;
using NasActors.Torch.Models;
using NasActors.Torch.Training;
using NasActors.Torch.Tests.Training;
using TorchSharp;

namespace NasActors.Torch.Tests.Models;

/// <summary>A retrained tiny DARTS network saved as safetensors, read back, and used for inference as a <see cref="NasModel"/>.</summary>
public class NasModelTests
{
    private static readonly RetrainSettings Settings = new(1, 32, 0.025, 0, 0.9, 3e-4, 5, Cutout: 0, DropPath: 0, AuxiliaryWeight: 0);
    private static readonly DartsSpec Spec = new(4, 3, DartsSpec.FashionMnist);

    private static (TorchSupernetFactory Factory, Architecture Arch, string Weights) Trained(string dir)
    {
        var factory = new TorchSupernetFactory(new DartsModule(), new DartsSpec(2, 3, DartsSpec.FashionMnist), [], TinySpecs.Train(), TinySpecs.Data(), dir,
            intraOpThreads: 1, retrainSpec: Spec);
        var arch = factory.Space.Sample(Xoshiro256.FromSeed(5));
        using var backend = factory.Create("cpu");
        var epoch = backend.Retrainer().TrainEpoch(arch, Settings, 0, 0, 0, null, _ => { }, CancellationToken.None);
        return (factory, arch, backend.Retrainer().Test(arch, Settings, epoch.Checkpoint, CancellationToken.None).Weights);
    }

    [Fact]
    public void ModelWeights_must_round_trip_a_trained_checkpoint_through_safetensors_exactly()
    {
        using var dir = new TempDirectory();
        var (factory, _, weights) = Trained(dir.Path);
        using var disposeFactory = factory;
        var path = dir.Combine("model.safetensors");
        ModelWeights.Write(dir.Path, weights, path);
        var entries = new CheckpointStore(dir.Path).Load(weights);
        var read = ModelWeights.Read(path);
        try
        {
            Assert.Equal(entries.Select(e => e.Name["model/".Length..]).Order(), read.Keys.Order());
            foreach (var e in entries)
            {
                var t = read[e.Name["model/".Length..]];
                Assert.Equal(e.Shape, t.shape);
                Assert.Equal(TensorBytes.ToScalarType(e.DType), t.dtype);
                Assert.Equal(e.Data, t.bytes.ToArray()); // bit-identical
            }
        }
        finally
        {
            foreach (var t in read.Values) t.Dispose();
        }
    }

    [Fact]
    public void NasModel_must_predict_with_the_trained_weights_and_refuse_what_does_not_fit()
    {
        using var dir = new TempDirectory();
        var (factory, arch, weights) = Trained(dir.Path);
        using var disposeFactory = factory;
        var path = dir.Combine("model.safetensors");
        ModelWeights.Write(dir.Path, weights, path);
        var tensors = ModelWeights.Read(path);
        var input = ModelInput.For("fashion-mnist");
        using var model = NasModel.Create(new DartsModule(), Spec, auxiliaryHead: false, arch, tensors, input, path);
        using var pixels = torch.rand(5, 1, 28, 28, generator: new torch.Generator(3));
        var top = model.Predict(pixels, top: 3);
        Assert.Equal(5, top.Length);
        Assert.All(top, p =>
        {
            Assert.Equal(3, p.Length);
            Assert.True(p[0].Probability >= p[1].Probability && p[1].Probability >= p[2].Probability);
            Assert.Equal(input.Classes[p[0].Class], p[0].Name);
        });
        // The same answer twice (eval mode: no dropout, BN running statistics).
        Assert.Equal(top.Select(p => p[0].Class), model.Predict(pixels).Select(p => p[0].Class));
        using var x = model.Normalize(pixels);
        using var logits = model.Logits(x);
        Assert.Equal([5L, 10L], logits.shape);
        Assert.Equal(top.Select(p => (long)p[0].Class), logits.argmax(1).data<long>().ToArray());

        using var wrong = torch.rand(2, 3, 32, 32);
        Assert.Contains("do not fit this model", Assert.Throws<NasUserException>(() => model.Predict(wrong)).Message);
        // Weights of another network (one tensor short) are refused, naming the missing tensor.
        var name = tensors.Keys.First();
        tensors.Remove(name, out var removed);
        removed!.Dispose();
        var e = Assert.Throws<NasUserException>(() => NasModel.Create(new DartsModule(), Spec, false, arch, tensors, input, path));
        Assert.Contains(name, e.Message);
        foreach (var t in tensors.Values) t.Dispose();
    }
}
