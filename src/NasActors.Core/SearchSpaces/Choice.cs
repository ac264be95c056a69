using System.Collections.Immutable;

namespace NasActors.Core.SearchSpaces;

/// <summary>
/// One decision of a search space. <paramref name="Key"/> is the NNI-style label ("normal/op_2_0");
/// <paramref name="Candidates"/> are the candidate names (layer), values (value) or input labels (input).
/// </summary>
public sealed record Choice(string Key, ChoiceKind Kind, ImmutableArray<string> Candidates, int NChosen = 1)
{
    public static Choice Layer(string key, params string[] candidates) => new(key, ChoiceKind.Layer, [.. candidates]);
    public static Choice Value(string key, params string[] values) => new(key, ChoiceKind.Value, [.. values]);
    public static Choice Input(string key, int nCandidates, int nChosen = 1) =>
        new(key, ChoiceKind.Input, [.. Enumerable.Range(0, nCandidates).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))], nChosen);

    /// <summary>Number of distinct values this choice can take.</summary>
    public double Cardinality => Kind == ChoiceKind.Input ? Binomial(Candidates.Length, NChosen) : Candidates.Length;

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
