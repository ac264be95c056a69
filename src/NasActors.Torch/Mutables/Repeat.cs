using System.Globalization;
using NasActors.Core;
using NasActors.Core.SearchSpaces;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Mutables;

/// <summary>
/// NNI's Repeat: a searched depth. Builds the deepest stack (<c>block(i)</c> for block i) and runs the first d blocks;
/// a fixed model keeps only those. Blocks may hold mutables of their own (keys per block: use i in the key, or leave
/// them null for path keys "…blocks.3…"). Every depth must give the same output shape (checked by a dry run).
/// </summary>
public sealed class Repeat : nn.Module<Tensor, Tensor>, IMutableNode
{
    private readonly CandidateDict blocks;
    private readonly int[] _depths;

    public Repeat(string? key, Func<int, nn.Module<Tensor, Tensor>> block, params int[] depths) : base(nameof(Repeat))
    {
        State = new MutableState(key, nameof(Repeat));
        var name = key ?? "(unnamed)";
        if (depths is null || depths.Length == 0) throw new NasUserException($"Repeat '{name}' has no depths; give at least one");
        if (depths.Any(d => d < 0)) throw new NasUserException($"Repeat '{name}' has a negative depth");
        if (depths.Distinct().Count() != depths.Length) throw new NasUserException($"Repeat '{name}' lists a depth twice");
        _depths = [.. depths];
        blocks = new CandidateDict();
        for (var i = 0; i < depths.Max(); i++) blocks.Add(i.ToString(CultureInfo.InvariantCulture), block(i));
        RegisterComponents();
    }

    internal MutableState State { get; }
    MutableState IMutableNode.State => State;

    public string? Label => State.Label;
    public string Key => State.ResolvedKey;
    public IReadOnlyList<int> Depths => _depths;

    /// <summary>The depth that runs now.</summary>
    public int Depth => int.Parse(State.Require(this), CultureInfo.InvariantCulture);

    public Choice Describe(string key) => new(key, ChoiceKind.Value, [.. _depths.Select(d => d.ToString(CultureInfo.InvariantCulture))]);

    public override Tensor forward(Tensor x)
    {
        var depth = Depth;
        var y = x;
        for (var i = 0; i < depth; i++) y = blocks.Items[i].Module.call(y);
        State.Probe?.Output(this, depth.ToString(CultureInfo.InvariantCulture), x, y);
        return y;
    }

    void IMutableNode.Fix(string value)
    {
        var depth = int.Parse(value, CultureInfo.InvariantCulture);
        blocks.RemoveWhere(n => int.Parse(n, CultureInfo.InvariantCulture) >= depth);
        (State.Active, State.Fixed) = (value, true);
    }

    /// <summary>The first <paramref name="depth"/> blocks.</summary>
    internal IEnumerable<nn.Module<Tensor, Tensor>> Blocks(int depth) => blocks.Items.Take(depth).Select(i => i.Module);
}
