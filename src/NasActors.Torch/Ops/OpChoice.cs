using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Ops;

/// <summary>One (cell, node, slot) of an ENAS micro supernet: holds every candidate op, runs only the chosen one.</summary>
internal sealed class OpChoice : nn.Module<Tensor, string, Tensor>
{
    private readonly ModuleDict<MicroOp> choices;

    /// <summary>The search-space key of this op decision ("normal/op_2_0"), shared by every cell of the type.</summary>
    public string Key { get; }

    public OpChoice(string key, IEnumerable<string> ops, int channels) : base(nameof(OpChoice))
    {
        Key = key;
        choices = new ModuleDict<MicroOp>();
        foreach (var op in ops) choices.Add(op, MicroOps.Create(op, channels));
        RegisterComponents();
    }

    public IEnumerable<(string Name, MicroOp Op)> Candidates
    {
        get { foreach (var (name, op) in choices) yield return (name, op); }
    }

    public MicroOp this[string candidate] =>
        choices.TryGetValue(candidate, out var op) ? op
            : throw new ArgumentException($"choice {Key} has no candidate '{candidate}'");

    public override Tensor forward(Tensor x, string candidate) => this[candidate].forward(x);
}
