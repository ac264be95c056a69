using System.Collections.Immutable;
using NasActors.Core;
using NasActors.Core.SearchSpaces;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Mutables;

/// <summary>
/// NNI's LayerChoice: one of several named candidate layers runs. In a supernet every candidate holds weights and the
/// chosen one runs (single path); in a fixed model (<see cref="ModelSpace.Fix"/>) only the chosen one exists.
/// Candidates must map the same input to the same output shape (checked by a dry run). Call it with <c>call(x)</c>.
/// </summary>
public sealed class LayerChoice : nn.Module<Tensor, Tensor>, IMutableNode
{
    private readonly CandidateDict choices;
    private readonly IValueChoice? _source;

    /// <param name="key">The decision's key (null: the module's path in the model). Layer choices with one key share one decision.</param>
    /// <param name="candidates">Named candidates, e.g. <c>("conv3x3", nn.Conv2d(1, 32, 3))</c>.</param>
    public LayerChoice(string? key, params (string Name, nn.Module<Tensor, Tensor> Module)[] candidates)
        : this(key, null, candidates) { }

    public LayerChoice(string? key, IEnumerable<(string Name, nn.Module<Tensor, Tensor> Module)> candidates)
        : this(key, null, candidates) { }

    internal LayerChoice(string? key, IValueChoice? source, IEnumerable<(string Name, nn.Module<Tensor, Tensor> Module)> candidates)
        : base(nameof(LayerChoice))
    {
        State = new MutableState(key, nameof(LayerChoice));
        choices = new CandidateDict();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, module) in candidates)
        {
            if (string.IsNullOrWhiteSpace(name) || !names.Add(name))
                throw new NasUserException($"LayerChoice '{key ?? "(unnamed)"}' has an empty or repeated candidate name '{name}'; name every candidate once");
            choices.Add(name, module ?? throw new NasUserException($"LayerChoice '{key ?? "(unnamed)"}': candidate '{name}' is null"));
        }
        if (names.Count == 0) throw new NasUserException($"LayerChoice '{key ?? "(unnamed)"}' has no candidates; give it at least one");
        RegisterComponents();
        // Set after registering: RegisterComponents would make the value choice a submodule of every layer built from it
        // (path "conv2._source"), and its path, not the model's field, would become the decision's key.
        _source = source;
    }

    internal MutableState State { get; }
    MutableState IMutableNode.State => State;
    IValueChoice? IMutableNode.Source => _source;

    public string? Label => _source?.Label ?? State.Label;
    public string Key => _source?.Key ?? State.ResolvedKey;

    /// <summary>Candidate names in order (after <see cref="ModelSpace.Fix"/>: only the chosen one).</summary>
    public IEnumerable<string> Names => choices.Items.Select(i => i.Name);

    /// <summary>The candidates (after <see cref="ModelSpace.Fix"/>: only the chosen one).</summary>
    public IEnumerable<(string Name, nn.Module<Tensor, Tensor> Module)> Candidates => choices.Items;

    public nn.Module<Tensor, Tensor> this[string name] =>
        choices.Find(name) ?? throw new ArgumentException($"LayerChoice '{Key}' has no candidate '{name}'");

    /// <summary>The candidate that runs now.</summary>
    public string Chosen => State.Require(this);

    public Choice Describe(string key) => _source?.Describe(key)
        ?? new Choice(key, ChoiceKind.Layer, [.. choices.Items.Select(i => i.Name)]);

    public override Tensor forward(Tensor x)
    {
        var name = State.Require(this);
        Tensor y;
        // Only the candidate's output leaves: its intermediates' handles are freed here, not at the end of the batch
        // (autograd keeps alive what the backward needs), which lowers the peak memory of big batches, mostly in evaluation.
        using (var scope = torch.NewDisposeScope()) y = scope.MoveToOuter(this[name].call(x));
        State.Probe?.Output(this, name, x, y);
        return y;
    }

    void IMutableNode.Fix(string value)
    {
        choices.KeepOnly(value);
        (State.Active, State.Fixed) = (value, true);
    }

}
