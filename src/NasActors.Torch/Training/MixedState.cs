using NasActors.Core;
using NasActors.Core.Randomness;
using NasActors.Core.Strategies.Darts;
using NasActors.Core.Training;
using NasActors.Torch.Data;
using NasActors.Torch.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>
/// What a backend holds to train DARTS's relaxation: the architecture logits (one tensor per cell type, not module
/// parameters), their Adam moments, and the two halves of the training split (official train_portion 0.5: the first
/// half trains the weights, the second the architecture), each with its own seeded batch schedule.
/// Checkpoint tensors: "arch/&lt;cell&gt;", "arch_m/&lt;cell&gt;", "arch_v/&lt;cell&gt;".
/// </summary>
internal sealed class MixedState : IDisposable
{
    private readonly (string Name, long[] Shape)[] _shapes;
    private readonly long _seed;

    public MixedState(nn.Module model, ImageDataset train, TrainSpec spec, DartsSettings settings, Device device)
    {
        Network = model as IMixedOpNetwork
            ?? throw new NasUserException("strategy darts needs a supernet that runs every edge as a mixed op; this space's model has none (use nas.space = darts)");
        Settings = settings;
        _seed = spec.Seed;
        _shapes = [.. Network.ArchitectureShapes];
        var half = train.Count / 2;
        if (half < spec.BatchSize)
            throw new NasUserException($"DARTS splits the training split in two halves (weights, architecture); {train.Count} images leave {half} per half, fewer than one batch of {spec.BatchSize}: lower nas.train.batch-size or raise nas.data.train-limit");
        // Views of the split (narrow copies nothing); each half keeps its own reference to the storage.
        WeightHalf = new ImageDataset(train.Images.narrow(0, 0, half), train.Labels.narrow(0, 0, half));
        ArchHalf = new ImageDataset(train.Images.narrow(0, half, train.Count - half), train.Labels.narrow(0, half, train.Count - half));
        WeightBatches = new BatchSchedule(WeightHalf, spec.BatchSize, spec.Seed);
        ArchBatches = new BatchSchedule(ArchHalf, spec.BatchSize, Xoshiro256.Derive(spec.Seed, StreamTags.ArchitectureBatches));
        Alphas = [.. _shapes.Select(s => torch.zeros(s.Shape, device: device).requires_grad_(true).DetachFromDisposeScope())];
        Moment1 = [.. _shapes.Select(s => torch.zeros(s.Shape, device: device).DetachFromDisposeScope())];
        Moment2 = [.. _shapes.Select(s => torch.zeros(s.Shape, device: device).DetachFromDisposeScope())];
    }

    public IMixedOpNetwork Network { get; }
    public DartsSettings Settings { get; }
    public ImageDataset WeightHalf { get; }
    public ImageDataset ArchHalf { get; }
    public BatchSchedule WeightBatches { get; }
    public BatchSchedule ArchBatches { get; }
    public Tensor[] Alphas { get; }
    public Tensor[] Moment1 { get; }
    public Tensor[] Moment2 { get; }

    /// <summary>The official initialisation: 1e-3 · N(0, 1) per logit, from the experiment's seed; Adam's moments zero.</summary>
    public void InitFresh()
    {
        var init = ArchitectureWeights.Initial(Xoshiro256.FromSeed(Xoshiro256.Derive(_seed, StreamTags.ArchitectureInit)));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        for (var i = 0; i < _shapes.Length; i++)
        {
            var values = init.Logits(_shapes[i].Name).SelectMany(e => e.Select(v => (float)v)).ToArray();
            Alphas[i].copy_(torch.tensor(values).reshape(_shapes[i].Shape));
            Moment1[i].zero_();
            Moment2[i].zero_();
        }
    }

    public IEnumerable<(string Name, Tensor T)> StateTensors()
    {
        for (var i = 0; i < _shapes.Length; i++) yield return ("arch/" + _shapes[i].Name, Alphas[i]);
        for (var i = 0; i < _shapes.Length; i++) yield return ("arch_m/" + _shapes[i].Name, Moment1[i]);
        for (var i = 0; i < _shapes.Length; i++) yield return ("arch_v/" + _shapes[i].Name, Moment2[i]);
    }

    /// <summary>The logits as numbers, per cell type name.</summary>
    public IEnumerable<(string Name, float[] Values, long[] Shape)> Logits()
    {
        for (var i = 0; i < _shapes.Length; i++) yield return (_shapes[i].Name, Alphas[i].detach().cpu().data<float>().ToArray(), _shapes[i].Shape);
    }

    public void Dispose()
    {
        foreach (var t in Alphas.Concat(Moment1).Concat(Moment2)) t.Dispose();
        WeightHalf.Dispose();
        ArchHalf.Dispose();
    }
}
