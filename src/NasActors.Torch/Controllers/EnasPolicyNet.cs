using NasActors.Core;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasActors.Torch.Controllers;

/// <summary>
/// The ENAS controller network (as NNI's ReinforceController, without the attention over earlier nodes): a learned
/// start embedding <c>g_emb</c> (1 x hidden) feeds one LSTM cell (no bias); decision k (one per choice, in space
/// order) reads <c>head_k</c>(h) as logits, divided by the temperature and clipped with TanhConstant * tanh, and
/// feeds the chosen candidate's row of <c>emb_k</c> to decision k + 1. A decision ranges over every value of its
/// choice (candidates, or an input choice's index lists). Parameter names (checkpoint names) are index-based: "g_emb", "lstm.weight_ih", "lstm.weight_hh",
/// "emb_&lt;k&gt;.weight", "head_&lt;k&gt;.weight". No randomness here: callers draw decisions.
/// </summary>
internal sealed class EnasPolicyNet : nn.Module
{
    private readonly Parameter g_emb;
    private readonly LSTMCell lstm;
    private readonly Embedding[] _embeddings;
    private readonly Linear[] _heads;
    private readonly Scalar _temperature;
    private readonly Scalar _tanhConstant;

    /// <summary>Most values one decision may have (an input choice of many inputs has too many subsets).</summary>
    public const int MaxValues = NasActors.Core.Engine.SpaceTraits.MaxCategorical;

    public SearchSpace Space { get; }
    public ControllerSpec Spec { get; }
    public int Decisions => _heads.Length;

    public EnasPolicyNet(SearchSpace space, ControllerSpec spec) : base(nameof(EnasPolicyNet))
    {
        Check(space, spec);
        Space = space;
        Spec = spec;
        var hidden = spec.HiddenSize;
        // Detached: a policy built inside a caller's dispose scope must not lose this tensor when that scope closes.
        g_emb = new Parameter(torch.zeros(1, hidden).DetachFromDisposeScope());
        g_emb.DetachFromDisposeScope();
        lstm = nn.LSTMCell(hidden, hidden, bias: false);
        _embeddings = new Embedding[space.Choices.Length];
        _heads = new Linear[space.Choices.Length];
        _temperature = spec.Temperature.ToScalar();
        _tanhConstant = spec.TanhConstant.ToScalar();
        RegisterComponents();
        for (var k = 0; k < space.Choices.Length; k++)
        {
            var n = (int)space.Choices[k].Cardinality;
            _embeddings[k] = nn.Embedding(n, hidden);
            _heads[k] = nn.Linear(hidden, n, hasBias: false);
            register_module($"emb_{k}", _embeddings[k]);
            register_module($"head_{k}", _heads[k]);
        }
    }

    /// <summary>The first LSTM input for a batch: g_emb repeated <paramref name="batch"/> times.</summary>
    public Tensor Start(long batch) => g_emb.expand(batch, -1);

    /// <summary>The LSTM state before the first decision: zeros (TorchSharp's LSTMCell mishandles a null state).</summary>
    public (Tensor H, Tensor C) ZeroState(long batch) => (torch.zeros(batch, Spec.HiddenSize), torch.zeros(batch, Spec.HiddenSize));

    /// <summary>One LSTM step.</summary>
    public (Tensor H, Tensor C) Step(Tensor input, (Tensor H, Tensor C) state) => lstm.forward(input, state);

    /// <summary>Decision <paramref name="k"/>'s logits from the hidden state: TanhConstant * tanh(head_k(h) / Temperature).</summary>
    public Tensor Logits(int k, Tensor h)
    {
        var logits = _heads[k].forward(h).div(_temperature);
        return Spec.TanhConstant > 0 ? logits.tanh().mul(_tanhConstant) : logits;
    }

    /// <summary>The next LSTM input after decision <paramref name="k"/> chose <paramref name="chosen"/> (int64, one per row).</summary>
    public Tensor Embed(int k, Tensor chosen) => _embeddings[k].forward(chosen);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _temperature.Dispose();
            _tanhConstant.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Throws <see cref="NasUserException"/> unless the space and spec suit this network.</summary>
    public static void Check(SearchSpace space, ControllerSpec spec)
    {
        foreach (var c in space.Choices)
            if (c.Cardinality > MaxValues)
                throw new NasUserException(
                    $"the ENAS controller makes one categorical decision per choice, but '{c.Key}' of search space '{space.Name}' has {c.Cardinality} values (at most {MaxValues}); choose fewer inputs");
        if (spec.HiddenSize < 1 || spec.HiddenSize > 4096)
            throw new NasUserException($"nas.strategies.enas-rl.controller.hidden-size = {spec.HiddenSize} must be between 1 and 4096");
        if (!(spec.Temperature > 0) || !double.IsFinite(spec.Temperature))
            throw new NasUserException($"nas.strategies.enas-rl.controller.temperature = {spec.Temperature} must be a positive number");
        if (!double.IsFinite(spec.TanhConstant))
            throw new NasUserException($"nas.strategies.enas-rl.controller.tanh-constant = {spec.TanhConstant} must be a number (0 or less: no tanh clipping)");
        if (!(spec.LearningRate > 0) || !double.IsFinite(spec.LearningRate))
            throw new NasUserException($"nas.strategies.enas-rl.controller.learning-rate = {spec.LearningRate} must be a positive number");
        if (!(spec.EntropyWeight >= 0) || !double.IsFinite(spec.EntropyWeight))
            throw new NasUserException($"nas.strategies.enas-rl.controller.entropy-weight = {spec.EntropyWeight} must be 0 or more");
        if (!(spec.GradClip >= 0) || !double.IsFinite(spec.GradClip))
            throw new NasUserException($"nas.strategies.enas-rl.controller.grad-clip = {spec.GradClip} must be 0 (no clipping) or more");
    }
}
