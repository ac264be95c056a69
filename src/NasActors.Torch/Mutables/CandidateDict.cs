using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Mutables;

/// <summary>
/// The named candidates of a choice, registered as submodules ("choices.conv3x3.weight"). Unlike TorchSharp's
/// ModuleDict it can drop modules for good (a fixed model keeps only the chosen weights). Also a Repeat's blocks ("0", "1", ...).
/// </summary>
internal sealed class CandidateDict : nn.Module
{
    private readonly List<(string Name, nn.Module<Tensor, Tensor> Module)> _items = [];

    public CandidateDict() : base("Candidates") { }

    public void Add(string name, nn.Module<Tensor, Tensor> module)
    {
        _items.Add((name, module));
        register_module(name, module);
    }

    public IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Module)> Items => _items;

    public nn.Module<Tensor, Tensor>? Find(string name)
    {
        foreach (var (n, m) in _items) if (n == name) return m;
        return null;
    }

    /// <summary>Unregisters and disposes every candidate but <paramref name="keep"/>.</summary>
    public void KeepOnly(string keep) => RemoveWhere(n => n != keep);

    /// <summary>Unregisters and disposes the modules whose names match.</summary>
    public void RemoveWhere(Func<string, bool> remove)
    {
        foreach (var (n, m) in _items.ToList())
        {
            if (!remove(n)) continue;
            _internal_submodules.Remove(n);
            _items.RemoveAll(i => i.Name == n);
            m.Dispose();
        }
    }
}
