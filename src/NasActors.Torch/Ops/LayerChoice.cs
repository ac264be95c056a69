using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Ops;

/// <summary>
/// A supernet choice (an SPOS block, or one (cell, node, slot) op of an ENAS cell): holds every candidate, runs only
/// the chosen one (single-path forward).
/// </summary>
internal sealed class LayerChoice<TOp> : nn.Module<Tensor, string, Tensor> where TOp : nn.Module<Tensor, Tensor>
{
    private readonly ModuleDict<TOp> choices;

    /// <summary>The search-space key of this decision ("stage0/block1", "normal/op_2_0").</summary>
    public string Key { get; }

    public LayerChoice(string key, IEnumerable<string> candidates, Func<string, TOp> create) : base("LayerChoice")
    {
        Key = key;
        choices = new ModuleDict<TOp>();
        foreach (var c in candidates) choices.Add(c, create(c));
        RegisterComponents();
    }

    public IEnumerable<(string Name, TOp Op)> Candidates
    {
        get { foreach (var (name, op) in choices) yield return (name, op); }
    }

    public TOp this[string candidate] =>
        choices.TryGetValue(candidate, out var op) ? op
            : throw new ArgumentException($"choice {Key} has no candidate '{candidate}'");

    public override Tensor forward(Tensor x, string candidate) => this[candidate].forward(x);
}
