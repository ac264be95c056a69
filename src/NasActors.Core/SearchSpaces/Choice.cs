using System.Collections.Immutable;

namespace NasActors.Core.SearchSpaces;

/// <summary>
/// One decision of a search space. <paramref name="Key"/> is the NNI-style label ("normal/op_2_0");
/// <paramref name="Candidates"/> are the candidate names (layer), values (value) or input labels (input).
/// <paramref name="NChosen"/> is 1 for layer and value choices; for input choices the number of inputs chosen, or
/// <see cref="AnyNumber"/> (NNI's <c>n_chosen=None</c>): any subset, none included, so one candidate means "it or nothing".
/// </summary>
public sealed record Choice(string Key, ChoiceKind Kind, ImmutableArray<string> Candidates, int NChosen = 1)
{
    public static Choice Layer(string key, params string[] candidates) => new(key, ChoiceKind.Layer, [.. candidates]);
    public static Choice Value(string key, params string[] values) => new(key, ChoiceKind.Value, [.. values]);
    /// <summary>NChosen of an input choice that may pick any number of its inputs, none included.</summary>
    public const int AnyNumber = 0;

    public static Choice Input(string key, int nCandidates, int nChosen = 1) =>
        new(key, ChoiceKind.Input, [.. Enumerable.Range(0, nCandidates).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))], nChosen);

    /// <summary>Number of distinct values this choice can take.</summary>
    public double Cardinality => Kind != ChoiceKind.Input ? Candidates.Length
        : NChosen == AnyNumber ? Math.Pow(2, Candidates.Length) : Binomial(Candidates.Length, NChosen);

    /// <summary>Every value this choice can take, in a fixed order (input choices: ascending index lists; "" = none).</summary>
    public IReadOnlyList<string> Values() => SearchSpace.AllValues(this);

    private static double Binomial(int n, int k)
    {
        double r = 1;
        for (var i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return r;
    }

    public bool Equals(Choice? other) =>
        other is not null && Key == other.Key && Kind == other.Kind && NChosen == other.NChosen && Candidates.SequenceEqual(other.Candidates);

    public override int GetHashCode() => HashCode.Combine(Key, Kind, NChosen, Candidates.Length);
}
