namespace NasActors.Core.SearchSpaces;

/// <summary>
/// The ENAS micro space as layer and input choices with NNI's keys: for cell type c in {normal, reduce} and node i in
/// [2, Nodes + 2) (0 and 1 are the cell inputs), <c>c/input_i_j</c> picks input j (an index below i) and
/// <c>c/op_i_j</c> the op applied to it, j in {0, 1}. Decision order per node: input_i_0, input_i_1, op_i_0, op_i_1
/// (ENAS samples both inputs, then both ops). Without a reduction cell (one stage) only the normal cell is searched.
/// </summary>
public static class EnasMicroSpace
{
    public const string Normal = "normal";
    public const string Reduce = "reduce";

    public static string InputKey(string cell, int node, int slot) => $"{cell}/input_{node}_{slot}";

    public static string OpKey(string cell, int node, int slot) => $"{cell}/op_{node}_{slot}";

    public static IEnumerable<string> CellTypes(EnasMicroSpec spec) => spec.Stages > 1 ? [Normal, Reduce] : [Normal];

    public static SearchSpace Create(EnasMicroSpec spec)
    {
        spec.Validate();
        var choices = new List<Choice>();
        foreach (var cell in CellTypes(spec))
            for (var i = 2; i < spec.Nodes + 2; i++)
            {
                choices.Add(Choice.Input(InputKey(cell, i, 0), i));
                choices.Add(Choice.Input(InputKey(cell, i, 1), i));
                choices.Add(new Choice(OpKey(cell, i, 0), ChoiceKind.Layer, spec.Ops));
                choices.Add(new Choice(OpKey(cell, i, 1), ChoiceKind.Layer, spec.Ops));
            }
        return SearchSpace.Create("enas-micro", choices);
    }
}
