using System.Globalization;
using NasActors.Core;
using NasActors.Core.SearchSpaces;
using NasActors.Torch.Ops;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Mutables;

/// <summary>
/// NNI's InputChoice: picks <c>nChosen</c> of <c>nCandidates</c> tensors and reduces them (sum, mean, concat), or
/// with <c>nChosen: null</c> any number of them, none included — the seed's skip connection
/// (<c>new InputChoice("skip", 1, null)</c>: "choose one or none"; <see cref="forward"/> then returns null).
/// It has no weights.
/// </summary>
public sealed class InputChoice : nn.Module, IMutableNode
{
    public InputChoice(string? key, int nCandidates, int? nChosen = 1, InputReduction reduction = InputReduction.Sum) : base(nameof(InputChoice))
    {
        State = new MutableState(key, nameof(InputChoice));
        var name = key ?? "(unnamed)";
        if (nCandidates < 1) throw new NasUserException($"InputChoice '{name}' has {nCandidates} candidates; it needs at least 1");
        if (nChosen is { } k && (k < 1 || k > nCandidates))
            throw new NasUserException($"InputChoice '{name}' chooses {k} of {nCandidates} inputs; n_chosen must be between 1 and {nCandidates}, or null (any number)");
        (NCandidates, NChosen, Reduction) = (nCandidates, nChosen, reduction);
    }

    internal MutableState State { get; }
    MutableState IMutableNode.State => State;

    public string? Label => State.Label;
    public string Key => State.ResolvedKey;
    public int NCandidates { get; }

    /// <summary>Inputs chosen; null: any number (none included).</summary>
    public int? NChosen { get; }

    public InputReduction Reduction { get; }

    public Choice Describe(string key) => Choice.Input(key, NCandidates, NChosen ?? Choice.AnyNumber);

    /// <summary>The indices chosen now (ascending).</summary>
    public IReadOnlyList<int> ChosenIndices
    {
        get
        {
            var v = State.Require(this);
            return v.Length == 0 ? [] : [.. v.Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
        }
    }

    /// <summary>The chosen tensors, unreduced.</summary>
    public IReadOnlyList<Tensor> Select(IReadOnlyList<Tensor> inputs)
    {
        if (inputs.Count != NCandidates)
            throw new ArgumentException($"InputChoice '{Key}' was declared with {NCandidates} candidates but called with {inputs.Count}");
        return [.. ChosenIndices.Select(i => inputs[i])];
    }

    /// <summary>The chosen inputs reduced; null when none is chosen.</summary>
    public Tensor? forward(params Tensor[] inputs)
    {
        if (Reduction == InputReduction.None)
            throw new InvalidOperationException($"InputChoice '{Key}' has reduction None: read the chosen tensors with Select(inputs)");
        var chosen = Select(inputs);
        if (State.Probe is not null) ModelProbe.Inputs(this, inputs, Reduction);
        if (chosen.Count == 0) return null;
        if (chosen.Count == 1) return chosen[0];
        return Reduction switch
        {
            InputReduction.Concat => torch.cat([.. chosen], 1),
            InputReduction.Mean => torch.stack([.. chosen]).mean([0]),
            _ => chosen.Skip(1).Aggregate(chosen[0], (a, b) => a.add(b, HeldScalars.One)),
        };
    }

    void IMutableNode.Fix(string value) => (State.Active, State.Fixed) = (value, true);

}
