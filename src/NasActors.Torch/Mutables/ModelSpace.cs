using System.Collections.Immutable;
using ExternalException = System.Runtime.InteropServices.ExternalException;
using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Mutables;

/// <summary>
/// A model with mutables seen as a search space (NNI: the space read from the model, never written twice). Reading it
/// walks the modules for their mutables (keys: the given label, else the module's path), checks that mutables sharing a
/// key offer the same choice, and orders the choices by their first use in a dry forward. It then runs the model on any
/// architecture (<see cref="Forward"/>: a supernet's single path), fixes it to one (<see cref="Fix"/>: only the chosen
/// weights remain) and counts costs (<see cref="Measure"/>). Call submodules with <c>call(x)</c> (TorchSharp's
/// equivalent of PyTorch's <c>module(x)</c>), so the dry runs can see them. Not thread-safe: one per trainer.
/// </summary>
public sealed class ModelSpace : IDisposable
{
    private readonly ImmutableArray<(IMutableNode Node, string Path)> _nodes;
    private readonly long[] _inputShape;
    private bool _fixed;

    private ModelSpace(string name, nn.Module<Tensor, Tensor> model, long[] inputShape, ImmutableArray<(IMutableNode, string)> nodes, SearchSpace space)
    {
        (Name, Model, _inputShape, _nodes, Space) = (name, model, inputShape, nodes, space);
    }

    public string Name { get; }
    public nn.Module<Tensor, Tensor> Model { get; }
    public SearchSpace Space { get; }

    /// <summary>Every mutable with its path in the model, in walk order.</summary>
    public IEnumerable<(IMutable Mutable, string Path)> Mutables => _nodes.Select(n => ((IMutable)n.Node, n.Path));

    /// <summary>The shape of one example input, batch of 1 ([1, 1, 28, 28] for Fashion-MNIST).</summary>
    public IReadOnlyList<long> InputShape => _inputShape;

    /// <summary>
    /// Reads the search space of <paramref name="model"/> (owned by the result). Throws <see cref="NasUserException"/>
    /// naming the key for a model without choices, a key shared by different choices, or a dry run that fails.
    /// </summary>
    public static ModelSpace Create(string name, nn.Module<Tensor, Tensor> model, params long[] inputShape)
    {
        if (inputShape.Length < 2 || inputShape[0] != 1)
            throw new ArgumentException("the example input shape must start with a batch of 1, e.g. [1, 1, 28, 28]");
        // Every model becomes a space here (factories, retrain networks, NasModel), so libtorch is configured here, before
        // the probe's first convolution: switching NNPACK off later changes which kernel runs, and a process would compute
        // the same step two ways (seen as a retrain test that failed only on a machine NNPACK supports).
        NativeTorch.Configure();
        var nodes = Walk(model);
        if (nodes.Length == 0)
            throw new NasUserException($"search space '{name}' has no choices: its model has no LayerChoice, InputChoice, ValueChoice or Repeat");
        var byKey = new Dictionary<string, (Choice Choice, string Path)>(StringComparer.Ordinal);
        foreach (var (node, path) in nodes)
        {
            var c = node.Describe(node.Key);
            if (!byKey.TryGetValue(node.Key, out var first)) byKey[node.Key] = (c, path);
            else if (!first.Choice.Equals(c))
                throw new NasUserException($"search space '{name}': key '{node.Key}' is used by '{first.Path}' ({Show(first.Choice)}) and by '{path}' ({Show(c)}); mutables sharing a key are one decision and must offer the same candidates — give one of them another key");
        }
        var order = UseOrder(model, nodes, inputShape);
        SearchSpace space;
        try { space = SearchSpace.Create(name, order.Select(k => byKey[k].Choice)); }
        catch (SearchSpaceException e) { throw new NasUserException(e.Message); }
        return new ModelSpace(name, model, inputShape, nodes, space);
    }

    /// <summary>Sets every mutable to its value in <paramref name="arch"/> (validated).</summary>
    public void Activate(Architecture arch)
    {
        if (_fixed) throw new InvalidOperationException($"the model of space '{Name}' is fixed; it runs only its own architecture");
        Space.Validate(arch);
        foreach (var (node, _) in _nodes) node.Activate(arch[node.Key]);
    }

    /// <summary>
    /// Seeds every module that draws random numbers (<see cref="SeededDropout"/>), each from (<paramref name="seed"/>, its
    /// index): a trainer calls this before each step. Nothing to do for models without any.
    /// </summary>
    public void Seed(long seed)
    {
        _seeded ??= [.. Model.modules().OfType<ISeeded>()];
        for (var i = 0; i < _seeded.Length; i++) _seeded[i].Seed(Xoshiro256.Derive(seed, i));
    }

    private ISeeded[]? _seeded;

    /// <summary>The single path <paramref name="arch"/> selects.</summary>
    public Tensor Forward(Tensor x, Architecture arch)
    {
        Activate(arch);
        return Model.call(x);
    }

    /// <summary>
    /// Turns the model into the fixed network of <paramref name="arch"/> (NNI's fixed architecture): every unchosen
    /// candidate and every block past the chosen depth is disposed, so only the chosen weights remain and the model is an
    /// ordinary module (train it, save it, count it). Irreversible.
    /// </summary>
    public nn.Module<Tensor, Tensor> Fix(Architecture arch)
    {
        Activate(arch);
        foreach (var (node, _) in _nodes) node.Fix(arch[node.Key]);
        foreach (var router in Model.modules().OfType<IWeightRouter>().ToList()) router.KeepOnlyActive();
        _fixed = true;
        return Model;
    }

    /// <summary>
    /// FLOPs (multiply-accumulates of one example: conv Cout·Hout·Wout·Cin/groups·kh·kw, linear in·out; BN, activations
    /// and pooling not counted) and parameters (those of the fixed model) of <paramref name="arch"/>.
    /// </summary>
    public ArchitectureCost Measure(Architecture arch)
    {
        var flops = CountFlops(arch);
        return new ArchitectureCost(flops, CountParams(Model));
    }

    /// <summary>
    /// Dry-runs the base architecture and every single-choice change of it: candidates of one choice must agree on their
    /// output shape, inputs on their reduction, and every conv/linear layer must run through call() in one of them.
    /// Then the cost model: an additive table when the measured costs add up (checked on seeded samples), else a model
    /// that measures each architecture. Throws <see cref="NasUserException"/> naming the key.
    /// </summary>
    public ICostModel CheckAndCount(int additivityChecks = 16)
    {
        var baseArch = BaseArchitecture();
        var probe = new ModelProbe();
        var seen = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
        ArchitectureCost Run(Architecture a, string what)
        {
            SetProbe(probe);
            try
            {
                var flops = CountFlops(a, seen);
                return new ArchitectureCost(flops, CountParams(Model));
            }
            catch (NasUserException) { throw; }
            catch (Exception e) when (e is ExternalException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
            {
                throw new NasUserException($"search space '{Name}': a dry forward of {what} fails: {FirstLine(e.Message)}");
            }
            finally { SetProbe(null); }
        }
        var baseCost = Run(baseArch, "the base architecture");
        var entries = ImmutableDictionary.CreateBuilder<string, ArchitectureCost>(StringComparer.Ordinal);
        foreach (var c in Space.Choices)
            foreach (var v in c.Values())
            {
                var cost = v == baseArch[c.Key] ? baseCost : Run(baseArch.With(c.Key, v), $"{c.Key} = {(v.Length == 0 ? "none" : v)}");
                entries[CostTable.EntryKey(c.Key, v)] = new ArchitectureCost(cost.Flops - baseCost.Flops, cost.Params - baseCost.Params);
            }
        // A layer nested in several choices (a width inside a width) runs only when all of them pick it: run that too.
        foreach (var (path, m) in Model.named_modules().Where(p => IsCounted(p.module) && !seen.Contains(p.module)).ToList())
            if (!seen.Contains(m) && Enclosing(path, baseArch) is { } arch) Run(arch, arch.ToString());
        var unseen = Model.modules().Where(IsCounted).FirstOrDefault(m => !seen.Contains(m));
        if (unseen is not null)
            throw new NasUserException($"search space '{Name}': {Describe(unseen)} did not run through call() in any dry run, so its FLOPs cannot be counted; call submodules with .call(x) instead of .forward(x)");
        var table = new CostTable(baseCost, entries.ToImmutable());
        var rng = Xoshiro256.FromSeed(0xC057);
        for (var i = 0; i < additivityChecks; i++)
        {
            var a = Space.Sample(rng);
            if (Run(a, a.ToString()) != table.Cost(a)) return new MeasuredCosts(this);
        }
        return table;
    }

    /// <summary>The base architecture with every layer choice (and weight router) around the module at <paramref name="path"/> picking it; null if none.</summary>
    private Architecture? Enclosing(string path, Architecture baseArch)
    {
        var arch = baseArch;
        var changed = false;
        foreach (var (routerPath, m) in Model.named_modules())
            if (m is IWeightRouter router && path.StartsWith(routerPath + ".", StringComparison.Ordinal)
                && router.Reaching(path[(routerPath.Length + 1)..]) is { } decisions)
                foreach (var (key, value) in decisions)
                {
                    arch = arch.With(key, value);
                    changed = true;
                }
        foreach (var (node, nodePath) in _nodes)
        {
            if (node is not LayerChoice lc) continue;
            var prefix = nodePath + ".choices.";
            if (!path.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var rest = path[prefix.Length..];
            var candidate = lc.Names.Where(n => rest == n || rest.StartsWith(n + ".", StringComparison.Ordinal)).MaxBy(n => n.Length);
            if (candidate is null) continue;
            arch = arch.With(node.Key, candidate);
            changed = true;
        }
        return changed && Space.Contains(arch) ? arch : null;
    }

    /// <summary>Layer and value choices at their first candidate, repeats at their deepest, input choices with all (or the first n) inputs.</summary>
    private Architecture BaseArchitecture()
    {
        var repeats = _nodes.Where(n => n.Node is Repeat).Select(n => n.Node.Key).ToHashSet(StringComparer.Ordinal);
        return new Architecture(Space.Choices.Select(c => KeyValuePair.Create(c.Key, BaseValue(c, repeats.Contains(c.Key)))));
    }

    /// <summary>A choice's base value: a repeat's deepest depth, all (or the first n) inputs, else the first candidate.</summary>
    private static string BaseValue(Choice c, bool repeat) =>
        repeat ? c.Candidates.MaxBy(d => int.Parse(d, System.Globalization.CultureInfo.InvariantCulture))!
        : c.Kind == ChoiceKind.Input ? string.Join(",", Enumerable.Range(0, c.NChosen == Choice.AnyNumber ? c.Candidates.Length : c.NChosen))
        : c.Candidates[0];

    private void SetProbe(ModelProbe? probe)
    {
        foreach (var (node, _) in _nodes) node.State.Probe = probe;
    }

    /// <summary>One dry forward of <paramref name="arch"/> on zeros, in eval mode without gradients, counting the MACs of every conv and linear layer that runs.</summary>
    internal long CountFlops(Architecture arch, HashSet<nn.Module>? seen = null)
    {
        var ran = seen ?? new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
        long macs = 0;
        var removers = new List<IDisposable>();
        foreach (var m in Model.modules().Where(IsCounted))
        {
            var module = m;
            removers.Add(MacHooks.Register(module, (input, output) =>
            {
                ran.Add(module);
                macs += MacHooks.Macs(module, output);
            }));
        }
        var wasTraining = Model.training;
        try
        {
            Model.eval();
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            Activate(arch);
            Model.call(torch.zeros(_inputShape));
        }
        finally
        {
            foreach (var r in removers) r.Dispose();
            if (wasTraining) Model.train();
        }
        return macs;
    }

    private static bool IsCounted(nn.Module m) => m is Conv1d or Conv2d or Linear;

    /// <summary>Parameters of the fixed model of the active architecture: unchosen candidates and blocks past the depth do not count.</summary>
    internal static long CountParams(nn.Module m)
    {
        switch (m)
        {
            case LayerChoice lc:
                return CountParams(lc[lc.Chosen]);
            case Repeat r:
                return r.Blocks(r.Depth).Sum(CountParams);
            case IWeightRouter w:
                return m.named_parameters(recurse: false).Sum(p => p.parameter.numel()) + w.ActiveModules().Sum(CountParams);
        }
        long n = m.named_parameters(recurse: false).Sum(p => p.parameter.numel());
        foreach (var (_, child) in m.named_children()) n += CountParams(child);
        return n;
    }

    private static ImmutableArray<(IMutableNode, string)> Walk(nn.Module<Tensor, Tensor> model)
    {
        var nodes = new List<(IMutableNode Node, string Path)>();
        var paths = new Dictionary<object, string>(ReferenceEqualityComparer.Instance);
        if (model is IMutableNode root) nodes.Add((root, "model"));
        foreach (var (path, m) in model.named_modules())
            if (m is IMutableNode n && !paths.ContainsKey(n))
            {
                paths[n] = path;
                nodes.Add((n, path));
            }
        // Keys: the label, else the path; a layer built by ValueChoice.Select takes its value choice's key (its label,
        // else its path when the value choice is in the model, else the path of the first layer built from it).
        foreach (var (node, path) in nodes)
        {
            if (node.Source is { } src)
            {
                src.State.Key ??= src.Label ?? (paths.TryGetValue(src, out var p) ? p : path);
                node.State.Key = src.State.Key;
            }
            else node.State.Key = node.Label ?? path;
        }
        foreach (var (node, path) in nodes)
            if (node.State.Key!.Contains('=') || node.State.Key.Contains(';'))
                throw new NasUserException($"mutable '{path}' has key '{node.State.Key}', which contains '=' or ';'; use keys like 'cell/op_2_0'");
        return [.. nodes];
    }

    /// <summary>Keys in the order forward first uses them on the base architecture; keys it never reaches follow in walk order.</summary>
    private static List<string> UseOrder(nn.Module<Tensor, Tensor> model, ImmutableArray<(IMutableNode Node, string Path)> nodes, long[] inputShape)
    {
        var order = new List<string>();
        var probe = new ModelProbe();
        foreach (var (node, _) in nodes)
        {
            node.State.Probe = probe;
            node.State.Active = BaseValue(node.Describe(node.Key), node is Repeat);
        }
        try
        {
            // Shape errors here are reported with their key by CheckAndCount; the order only needs the keys reached.
            try
            {
                var wasTraining = model.training;
                model.eval();
                using var noGrad = torch.no_grad();
                using var scope = torch.NewDisposeScope();
                model.call(torch.zeros(inputShape));
                if (wasTraining) model.train();
            }
            catch (NasUserException) { throw; }
            catch (Exception) { /* CheckAndCount names the failure */ }
        }
        finally
        {
            foreach (var (node, _) in nodes) (node.State.Probe, node.State.Active) = (null, null);
        }
        foreach (var m in probe.UseOrder) if (!order.Contains(m.Key)) order.Add(m.Key);
        foreach (var (node, _) in nodes) if (!order.Contains(node.Key)) order.Add(node.Key);
        return order;
    }

    private static string Show(Choice c) =>
        $"{c.Kind.ToString().ToLowerInvariant()}: {(c.Kind == ChoiceKind.Input ? $"{c.Candidates.Length} inputs, choose {(c.NChosen == Choice.AnyNumber ? "any" : c.NChosen)}" : string.Join(", ", c.Candidates))}";

    private string Describe(nn.Module m)
    {
        foreach (var (path, sub) in Model.named_modules()) if (ReferenceEquals(sub, m)) return $"{m.GetType().Name} '{path}'";
        return m.GetType().Name;
    }

    private static string FirstLine(string s)
    {
        var i = s.IndexOfAny(['\r', '\n']);
        return i < 0 ? s : s[..i];
    }

    public void Dispose() => Model.Dispose();
}
