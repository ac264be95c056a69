using System.Collections.Immutable;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.SearchSpaces;
using NasActors.Torch.Mutables;
using NasActors.Torch.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Models;

/// <summary>
/// A trained architecture ready for inference: the space's fixed network (as retrained) with its weights, the input it
/// expects and the class names. Load one with <c>NasActors.Cli.SavedModel.Load</c>; feed it pixels scaled to [0, 1]
/// (<see cref="Predict"/>) or normalized images (<see cref="Logits"/>). Not thread-safe: one model per thread.
/// </summary>
public sealed class NasModel : IDisposable
{
    private readonly ModelSpace _space;
    private readonly nn.Module<Tensor, Tensor> _net;

    private NasModel(ModelSpace space, nn.Module<Tensor, Tensor> net, Architecture architecture, ModelInput input)
    {
        (_space, _net, Architecture, Input) = (space, net, architecture, input);
        _net.eval();
    }

    public Architecture Architecture { get; }

    public ModelInput Input { get; }

    public ImmutableArray<string> Classes => Input.Classes;

    /// <summary>
    /// The retrain network of <paramref name="architecture"/> in <paramref name="module"/>'s space (spec
    /// <paramref name="spec"/>) with <paramref name="weights"/>: exactly its parameters and buffers, by name.
    /// </summary>
    internal static NasModel Create(SpaceModule module, object spec, bool auxiliaryHead, Architecture architecture,
        IReadOnlyDictionary<string, Tensor> weights, ModelInput input, string source)
    {
        var space = SupernetCatalog.CreateForRetrain(module, spec, auxiliaryHead);
        try
        {
            space.Space.Validate(architecture);
            var net = space.Fix(architecture);
            var expected = net.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(net.named_buffers()).ToList();
            var missing = expected.Where(e => !weights.ContainsKey(e.Item1)).Select(e => e.Item1).ToList();
            if (missing.Count > 0 || weights.Count != expected.Count)
                throw new NasUserException($"{source} does not fit the architecture's network in space {module.Name} ({weights.Count} tensors, {expected.Count} expected" +
                                           (missing.Count > 0 ? $", '{missing[0]}' missing" : "") + "): the weights and model.json are of different models; write the folder again with `nas resume NAME`");
            using (torch.no_grad())
                foreach (var (name, target) in expected)
                {
                    var w = weights[name];
                    if (w.dtype != target.dtype || !w.shape.SequenceEqual(target.shape))
                        throw new NasUserException($"{source}: tensor '{name}' is {w.dtype} [{string.Join(",", w.shape)}], the network has {target.dtype} [{string.Join(",", target.shape)}]; write the folder again with `nas resume NAME`");
                    target.copy_(w);
                }
            var shape = space.InputShape;
            if (shape.Count != 4 || shape[1] != input.Channels || shape[2] != input.Height || shape[3] != input.Width)
                throw new NasUserException($"{source}: the network takes {string.Join("x", shape.Skip(1))} images but the model says {input.Channels}x{input.Height}x{input.Width}; write the folder again with `nas resume NAME`");
            return new NasModel(space, net, architecture, input);
        }
        catch
        {
            space.Dispose();
            throw;
        }
    }

    /// <summary>(x - mean) / std per channel of images [N, C, H, W] scaled to [0, 1].</summary>
    public Tensor Normalize(Tensor pixels)
    {
        CheckShape(pixels);
        using var scope = torch.NewDisposeScope();
        using var mean = torch.tensor(Input.Mean.ToArray(), [1, Input.Channels, 1, 1]);
        using var std = torch.tensor(Input.Std.ToArray(), [1, Input.Channels, 1, 1]);
        return pixels.to_type(ScalarType.Float32).sub(mean).div(std).MoveToOuterDisposeScope();
    }

    /// <summary>Class scores (logits) [N, classes] of normalized images [N, C, H, W].</summary>
    public Tensor Logits(Tensor normalized)
    {
        CheckShape(normalized);
        using var noGrad = torch.no_grad();
        return _net.call(normalized);
    }

    /// <summary>The <paramref name="top"/> most probable classes of each image (pixels scaled to [0, 1]), most probable first.</summary>
    public ImmutableArray<ImmutableArray<Prediction>> Predict(Tensor pixels, int top = 1)
    {
        if (top < 1) throw new ArgumentOutOfRangeException(nameof(top), top, "at least 1");
        using var scope = torch.NewDisposeScope();
        var probabilities = nn.functional.softmax(Logits(Normalize(pixels)), 1);
        var k = Math.Min(top, Classes.Length);
        var (values, indices) = probabilities.topk(k, 1);
        var p = values.data<float>().ToArray();
        var c = indices.data<long>().ToArray();
        var n = (int)pixels.shape[0];
        return [.. Enumerable.Range(0, n).Select(i => Enumerable.Range(0, k)
            .Select(j => new Prediction((int)c[i * k + j], Classes[(int)c[i * k + j]], p[i * k + j])).ToImmutableArray())];
    }

    private void CheckShape(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != Input.Channels || x.shape[2] != Input.Height || x.shape[3] != Input.Width)
            throw new NasUserException($"images of shape [{string.Join(",", x.shape)}] do not fit this model: it takes [N,{Input.Channels},{Input.Height},{Input.Width}] ({Input.Dataset})");
    }

    public void Dispose() => _space.Dispose();
}
