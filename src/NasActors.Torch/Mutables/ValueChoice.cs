using System.Collections.Immutable;
using System.Globalization;
using NasActors.Core;
using NasActors.Core.SearchSpaces;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Mutables;

/// <summary>
/// NNI's ValueChoice: a number (or any value) that parametrizes layers — channels, kernel size, expansion ratio,
/// dropout rate. Read <see cref="Value"/> in forward, or build the layers that depend on it with <see cref="Select"/>
/// (one candidate layer per value, all keyed by this choice: one shared decision). Register it as a field of the
/// model, like any module, so its key can default to its path.
/// </summary>
public sealed class ValueChoice<T> : nn.Module, IValueChoice where T : notnull
{
    private readonly ImmutableArray<T> _values;
    private readonly ImmutableArray<string> _texts;

    public ValueChoice(string? key, params T[] values) : base("ValueChoice")
    {
        State = new MutableState(key, "ValueChoice");
        if (values is null || values.Length == 0)
            throw new NasUserException($"ValueChoice '{key ?? "(unnamed)"}' has no values; give it at least one");
        _values = [.. values];
        _texts = [.. values.Select(Format)];
        foreach (var dup in _texts.GroupBy(t => t).Where(g => g.Count() > 1))
            throw new NasUserException($"ValueChoice '{key ?? "(unnamed)"}' lists the value {dup.Key} twice; list each value once");
    }

    internal MutableState State { get; }
    MutableState IMutableNode.State => State;

    public string? Label => State.Label;
    public string Key => State.ResolvedKey;
    public IReadOnlyList<T> Values => _values;
    IReadOnlyList<string> IValueChoice.ValueTexts => _texts;

    /// <summary>The value the model runs with now.</summary>
    public T Value => _values[_texts.IndexOf(State.Require(this))];

    public Choice Describe(string key) => new(key, ChoiceKind.Value, _texts);

    /// <summary>A layer per value, chosen by this decision: <c>width.Select(w => nn.Conv2d(32, w, 3))</c>.</summary>
    public LayerChoice Select(Func<T, nn.Module<Tensor, Tensor>> build) =>
        new(null, this, _values.Select((v, i) => (_texts[i], build(v))));

    void IMutableNode.Fix(string value) => (State.Active, State.Fixed) = (value, true);


    /// <summary>Invariant text: how the value appears in architectures and NNI dicts ("0.25", "64", "relu").</summary>
    private static string Format(T v) => v switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
