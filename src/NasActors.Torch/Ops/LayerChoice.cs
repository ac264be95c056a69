using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Ops;

/// <summary>A supernet choice block: holds every candidate, runs only the chosen one (single-path forward).</summary>
internal sealed class LayerChoice : nn.Module<Tensor, string, Tensor>
{
    private readonly ModuleDict<ShuffleNetV2Block> choices;

    public string Key { get; }

    public LayerChoice(string key, IEnumerable<string> candidates, int inChannels, int outChannels, int stride)
        : base(nameof(LayerChoice))
    {
        Key = key;
        choices = new ModuleDict<ShuffleNetV2Block>();
        foreach (var c in candidates) choices.Add(c, CandidateOps.Create(c, inChannels, outChannels, stride));
        RegisterComponents();
    }

    public IEnumerable<(string Name, ShuffleNetV2Block Block)> Candidates
    {
        get { foreach (var (name, block) in choices) yield return (name, block); }
    }

    public ShuffleNetV2Block this[string candidate] =>
        choices.TryGetValue(candidate, out var block) ? block
            : throw new ArgumentException($"choice {Key} has no candidate '{candidate}'");

    public override Tensor forward(Tensor x, string candidate) => this[candidate].forward(x);
}
