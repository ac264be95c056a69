using NasActors.Core;
using static TorchSharp.torch;

namespace NasActors.Torch.Mutables;

/// <summary>
/// Watches dry runs of a model: the order in which forward first uses each decision (the order of the search space,
/// as a sequential controller sees it), and that the candidates of one choice agree on their output shape.
/// </summary>
internal sealed class ModelProbe
{
    private readonly List<IMutable> _used = [];
    private readonly HashSet<IMutable> _seen = new(ReferenceEqualityComparer.Instance);
    // Per mutable and input shape: the first value seen and its output shape.
    private readonly Dictionary<(IMutable, string), (string Value, long[] Shape)> _outputs = [];

    public IReadOnlyList<IMutable> UseOrder => _used;

    public void Used(IMutable m)
    {
        if (_seen.Add(m)) _used.Add(m);
    }

    /// <summary>Candidates of a layer choice (or depths of a repeat) must map one input shape to one output shape.</summary>
    public void Output(IMutable m, string value, Tensor input, Tensor output)
    {
        if (m is IMutableNode { Source: not null }) return; // one layer per value: shapes differ by design
        var key = (m, string.Join("x", input.shape));
        var shape = output.shape;
        if (!_outputs.TryGetValue(key, out var first)) _outputs[key] = (value, shape);
        else if (!first.Shape.SequenceEqual(shape))
            throw new NasUserException(
                $"{m.GetType().Name} '{m.Key}': candidate '{value}' outputs [{string.Join(", ", shape)}] but '{first.Value}' outputs [{string.Join(", ", first.Shape)}] for the same input [{string.Join(", ", input.shape)}]; the candidates of one choice must give the same shape");
    }

    /// <summary>The inputs an input choice may combine must fit its reduction.</summary>
    public static void Inputs(InputChoice c, IReadOnlyList<Tensor> inputs, InputReduction reduction)
    {
        for (var i = 1; i < inputs.Count; i++)
        {
            var a = inputs[0].shape;
            var b = inputs[i].shape;
            var fits = reduction == InputReduction.Concat
                ? a.Length == b.Length && a.Length > 1 && a.Where((d, k) => k != 1 && d != b[k]).Count() == 0
                : a.SequenceEqual(b);
            if (!fits)
                throw new NasUserException(
                    $"InputChoice '{c.Key}': input 0 has shape [{string.Join(", ", a)}] and input {i} [{string.Join(", ", b)}], which {reduction.ToString().ToLowerInvariant()} cannot combine; the candidates of one input choice must have the same shape{(reduction == InputReduction.Concat ? " but for the channels" : "")}");
        }
    }
}
