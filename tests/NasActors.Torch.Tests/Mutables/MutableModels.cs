using NasActors.Torch.Mutables;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace NasActors.Torch.Tests.Mutables;

/// <summary>Runs named modules one after another through call(), registered under the given names (the paths the keys come from).</summary>
internal sealed class Chain : nn.Module<Tensor, Tensor>
{
    private readonly List<nn.Module<Tensor, Tensor>> _mods = [];

    public Chain(params (string Name, nn.Module<Tensor, Tensor> Module)[] mods) : base(nameof(Chain))
    {
        foreach (var (n, m) in mods)
        {
            register_module(n, m);
            _mods.Add(m);
        }
    }

    public override Tensor forward(Tensor x)
    {
        foreach (var m in _mods) x = m.call(x);
        return x;
    }
}

/// <summary>
/// The seed's MNIST network (NNI's WriteSearchSpace example) at small widths: conv1 3x3 vs 5x5 (padding 1 so both give
/// 26x26), conv2 and conv3 and fc1 widened by one value choice, and a skip connection around conv3 (choose it or none).
/// </summary>
internal sealed class MnistSkipNet : nn.Module<Tensor, Tensor>
{
    public static readonly int[] Widths = [4, 8];

    private readonly LayerChoice conv1;
    private readonly ValueChoice<int> width;
    private readonly LayerChoice conv2;
    private readonly InputChoice skipcon;
    private readonly LayerChoice conv3;
    private readonly LayerChoice fc1;
    private readonly Linear fc2;

    public MnistSkipNet(string? widthKey = "width") : base(nameof(MnistSkipNet))
    {
        conv1 = new LayerChoice(null, ("conv3x3", nn.Conv2d(1, 8, 3)), ("conv5x5", nn.Conv2d(1, 8, 5, padding: 1)));
        width = new ValueChoice<int>(widthKey, Widths);
        conv2 = width.Select(w => nn.Conv2d(8, w, 3));
        skipcon = new InputChoice("skip", 1, null);
        conv3 = width.Select(w => nn.Conv2d(w, w, 1));
        fc1 = width.Select(w => nn.Linear(w * 12 * 12, 16));
        fc2 = nn.Linear(16, 10);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = F.relu(conv1.call(x));
        x = F.relu(conv2.call(x));
        var x0 = skipcon.forward(x);
        x = conv3.call(x);
        if (x0 is not null) x = x + x0;
        x = F.max_pool2d(x, 2);
        x = F.relu(fc1.call(x.flatten(1)));
        return fc2.call(x);
    }

    /// <summary>Hand count: conv Cout·Hout·Wout·Cin·k·k, linear in·out.</summary>
    public static long Flops(string conv1, int w) =>
        8L * 26 * 26 * 1 * (conv1 == "conv3x3" ? 9 : 25)
        + (long)w * 24 * 24 * 8 * 9
        + (long)w * 24 * 24 * w
        + 16L * w * 144
        + 10L * 16;

    public static long Params(string conv1, int w) =>
        (conv1 == "conv3x3" ? 8 * 9 + 8 : 8 * 25 + 8)
        + (w * 8 * 9 + w)
        + (w * w + w)
        + (w * 144 * 16 + 16)
        + (16 * 10 + 10);
}

/// <summary>An unlabelled value choice declared after the layers built from it: its key is still its field's path.</summary>
internal sealed class LateWidthNet : nn.Module<Tensor, Tensor>
{
    private readonly LayerChoice up;
    private readonly LayerChoice down;
    private readonly ValueChoice<int> width;

    public LateWidthNet() : base(nameof(LateWidthNet))
    {
        var w = new ValueChoice<int>(null, 2, 3);
        up = w.Select(n => nn.Linear(4, n));
        down = w.Select(n => nn.Linear(n, 4));
        width = w;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => down.call(up.call(x));
}

/// <summary>Two layer choices declared a, b but run b, a.</summary>
internal sealed class ReversedOrderNet : nn.Module<Tensor, Tensor>
{
    private readonly LayerChoice a;
    private readonly LayerChoice b;
    private readonly ValueChoice<int> unused;

    public ReversedOrderNet() : base(nameof(ReversedOrderNet))
    {
        a = new LayerChoice(null, ("lin", nn.Linear(4, 4)), ("id", nn.Identity()));
        b = new LayerChoice(null, ("relu", nn.ReLU()), ("tanh", nn.Tanh()), ("id", nn.Identity()));
        unused = new ValueChoice<int>(null, 1, 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => a.call(b.call(x));
}

/// <summary>A block with one unlabelled layer choice in field "op" (path keys "….op").</summary>
internal sealed class OpBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerChoice op;

    public OpBlock(string? key = null) : base(nameof(OpBlock))
    {
        op = new LayerChoice(key, ("lin", nn.Linear(4, 4)), ("id", nn.Identity()));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => op.call(x);
}

/// <summary>A ModuleList of blocks: keys "blocks.0.op", "blocks.1.op".</summary>
internal sealed class ListNet : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<OpBlock> blocks;

    public ListNet() : base(nameof(ListNet))
    {
        blocks = nn.ModuleList(new OpBlock(), new OpBlock());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        foreach (var b in blocks) x = b.call(x);
        return x;
    }
}

/// <summary>A module that reads a value choice in forward (a scale), with the value choice as a field.</summary>
internal sealed class ScaleNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear lin;
    private readonly ValueChoice<double> scale;

    public ScaleNet() : base(nameof(ScaleNet))
    {
        lin = nn.Linear(4, 4);
        scale = new ValueChoice<double>(null, 0.5, 2.0);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => lin.call(x) * scale.Value;
}

/// <summary>Calls its conv with forward() (invisible to hooks): CheckAndCount must refuse it.</summary>
internal sealed class ForwardCallNet : nn.Module<Tensor, Tensor>
{
    private readonly LayerChoice act;
    private readonly Conv2d conv;

    public ForwardCallNet() : base(nameof(ForwardCallNet))
    {
        act = new LayerChoice("act", ("relu", nn.ReLU()), ("tanh", nn.Tanh()));
        conv = nn.Conv2d(1, 2, 3);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => conv.forward(act.call(x));
}

/// <summary>An input choice over two tensors (input and a linear map of it) with a given reduction.</summary>
internal sealed class TwoInputNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear lin;
    private readonly InputChoice pick;

    public TwoInputNet(InputReduction reduction, int? nChosen, long outFeatures = 4) : base(nameof(TwoInputNet))
    {
        lin = nn.Linear(4, outFeatures);
        pick = new InputChoice("pick", 2, nChosen, reduction);
        RegisterComponents();
    }

    public Linear Lin => lin;

    public override Tensor forward(Tensor x) => pick.forward(x, lin.call(x)) ?? torch.zeros_like(x);
}

/// <summary>A model without mutables.</summary>
internal sealed class PlainNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear lin;

    public PlainNet() : base(nameof(PlainNet))
    {
        lin = nn.Linear(4, 4);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => lin.call(x);
}

/// <summary>Registers a value choice in a model (so it has a path) without running anything.</summary>
internal sealed class ChainHolder : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module held;

    public ChainHolder(nn.Module held) : base(nameof(ChainHolder))
    {
        this.held = held;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x;
}
