using System.Collections.Immutable;
using NasActors.Core;
using NasActors.Core.Strategies.Darts;
using NasActors.Core.Training;
using NasActors.Torch.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>DARTS's relaxation on this backend (<see cref="IDartsTrainer"/>): the part of the backend that only DARTS uses.</summary>
internal sealed partial class TorchSupernetBackend
{
    private const int MixedProgressEvery = 2; // mixed steps are slow: report often

    private readonly MixedState? _mixed;

    public SliceResult TrainMixedSlice(SupernetSlice slice, Action<TrainProgress> progress, CancellationToken ct)
    {
        var mixed = _mixed ?? throw new NasUserException("this trainer backend was built without DARTS settings; run the experiment with nas.strategy = darts");
        var d = mixed.Settings;
        Tensor[] weights = [.. _params.Select(p => (Tensor)p.P)]; // loaded in place by RunSlice
        return RunSlice(slice, MixedProgressEvery, progress, ct, t =>
        {
            var lr = d.LearningRateAt(d.EpochOf(t));
            using var scope = torch.NewDisposeScope();
            var b = t * slice.Slots + slice.Slot;
            var (xv, yv) = ToDevice(Augmented(mixed.ArchBatches.TrainBatch(b), t, StreamTags.ArchitectureSlot + slice.Slot));
            var (xt, yt) = ToDevice(Augmented(mixed.WeightBatches.TrainBatch(b), t, slice.Slot));
            Tensor Loss(Tensor x, Tensor y) => nn.functional.cross_entropy(mixed.Network.MixedForward(x, mixed.Alphas), y);

            // The architecture step first, on a batch of the other half (official architect.step before the weights' step).
            // Its own scope: its forward's tensors are freed before the weights' forward, not held with them to the end.
            using (torch.NewDisposeScope())
            {
                var dAlpha = d.Unrolled
                    ? UnrolledGradient.Compute(weights, _momentum, mixed.Alphas, () => Loss(xt, yt), () => Loss(xv, yv), lr, d.Momentum, d.WeightDecay)
                    : [.. torch.autograd.grad([Loss(xv, yv)], mixed.Alphas)];
                for (var k = 0; k < mixed.Alphas.Length; k++)
                    ArchitectureAdam.Step(mixed.Alphas[k], dAlpha[k], mixed.Moment1[k], mixed.Moment2[k], t + 1,
                        d.ArchLearningRate, d.ArchBeta1, d.ArchBeta2, d.ArchWeightDecay, DartsSettings.ArchEpsilon);
            }

            // Then the weights: SGD with momentum and weight decay on every weight (torch.optim.SGD), the gradient clipped first.
            var logits = mixed.Network.MixedForward(xt, mixed.Alphas);
            var loss = nn.functional.cross_entropy(logits, yt);
            Tensor[] grads = [.. torch.autograd.grad([loss], weights)];
            GradientClip.ClipGlobalNorm(grads, d.GradClip);
            MixedSgdStep(weights, grads, lr, d);
            return (loss.item<float>(), logits.argmax(1).eq(yt).sum().item<long>(), (int)yt.shape[0]);
        });
    }

    private void MixedSgdStep(Tensor[] weights, IList<Tensor> grads, double lr, DartsSettings d)
    {
        using var noGrad = torch.no_grad();
        using var one = 1.ToScalar();
        using var mu = d.Momentum.ToScalar();
        using var wd = d.WeightDecay.ToScalar();
        using var negLr = (-lr).ToScalar();
        for (var i = 0; i < weights.Length; i++)
            SgdUpdate(weights[i], grads[i], _momentum[i], one, mu, wd, negLr, decay: d.WeightDecay != 0);
    }

    public ImmutableDictionary<string, ImmutableArray<ImmutableArray<double>>> ReadLogits(string checkpoint, CancellationToken ct)
    {
        var mixed = _mixed ?? throw new NasUserException("this trainer backend was built without DARTS settings; run the experiment with nas.strategy = darts");
        ct.ThrowIfCancellationRequested();
        _live = null;
        LoadState(checkpoint);
        var result = ImmutableDictionary.CreateBuilder<string, ImmutableArray<ImmutableArray<double>>>(StringComparer.Ordinal);
        foreach (var (name, values, shape) in mixed.Logits())
        {
            var cols = (int)shape[1];
            result[name] = [.. Enumerable.Range(0, (int)shape[0]).Select(r => values.AsSpan(r * cols, cols).ToArray().Select(v => (double)v).ToImmutableArray())];
        }
        return result.ToImmutable();
    }
}
