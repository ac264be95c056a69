using System.Collections.Immutable;

namespace NasActors.Core.SearchSpaces;

/// <summary>
/// The SPOS block space: one layer choice per supernet block, keyed "stage{s}/block{b}", with the paper's four
/// ShuffleNetV2-style candidates.
/// </summary>
public static class SposSpace
{
    public static readonly ImmutableArray<string> PaperCandidates = ["shuffle_3x3", "shuffle_5x5", "shuffle_7x7", "xception_3x3"];

    public static string BlockKey(int stage, int block) => $"stage{stage}/block{block}";

    public static SearchSpace Create(SupernetSpec spec)
    {
        spec.Validate();
        var choices = new List<Choice>();
        for (var s = 0; s < spec.StageDepths.Length; s++)
            for (var b = 0; b < spec.StageDepths[s]; b++)
                choices.Add(new Choice(BlockKey(s, b), ChoiceKind.Layer, spec.Candidates));
        return SearchSpace.Create("spos-shufflenet", choices);
    }
}
