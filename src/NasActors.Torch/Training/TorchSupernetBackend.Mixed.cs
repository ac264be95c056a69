using System.Collections.Immutable;
using System.Diagnostics;
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
        if (slice.Slots < 1 || slice.Slot < 0 || slice.Slot >= slice.Slots || slice.Steps < 0 || slice.FirstStep < 0)
            throw new ArgumentException($"invalid slice {slice}");
        var d = mixed.Settings;
        var clock = Stopwatch.StartNew();
        _live = null;
        if (slice.FromCheckpoint is null) InitFresh();
        else LoadState(slice.FromCheckpoint);
        _net.train();
        var weights = _params.Select(p => (Tensor)p.P).ToArray();

        double lossSum = 0, windowLoss = 0;
        long correct = 0;
        int images = 0, window = 0;
        for (var i = 0; i < slice.Steps; i++)
        {
            ct.ThrowIfCancellationRequested();
            var t = slice.FirstStep + i;
            var lr = d.LearningRateAt(d.EpochOf(t));
            using (var scope = torch.NewDisposeScope())
            {
                var b = t * slice.Slots + slice.Slot;
                var (xv, yv) = ToDevice(Augmented(mixed.ArchBatches.TrainBatch(b), t, StreamTags.ArchitectureSlot + slice.Slot));
                var (xt, yt) = ToDevice(Augmented(mixed.WeightBatches.TrainBatch(b), t, slice.Slot));
                Tensor Loss(Tensor x, Tensor y) => nn.functional.cross_entropy(mixed.Network.MixedForward(x, mixed.Alphas), y);

                // The architecture step first, on a batch of the other half (official architect.step before the weights' step).
                var dAlpha = d.Unrolled
                    ? UnrolledGradient.Compute(weights, _momentum, mixed.Alphas, () => Loss(xt, yt), () => Loss(xv, yv), lr, d.Momentum, d.WeightDecay)
                    : [.. torch.autograd.grad([Loss(xv, yv)], mixed.Alphas)];
                for (var k = 0; k < mixed.Alphas.Length; k++)
                    ArchitectureAdam.Step(mixed.Alphas[k], dAlpha[k], mixed.Moment1[k], mixed.Moment2[k], t + 1,
                        d.ArchLearningRate, d.ArchBeta1, d.ArchBeta2, d.ArchWeightDecay, DartsSettings.ArchEpsilon);

                // Then the weights: SGD with momentum and weight decay on every weight (torch.optim.SGD), the gradient clipped first.
                var logits = mixed.Network.MixedForward(xt, mixed.Alphas);
                var loss = nn.functional.cross_entropy(logits, yt);
                Tensor[] grads = [.. torch.autograd.grad([loss], weights)];
                GradientClip.ClipGlobalNorm(grads, d.GradClip);
                MixedSgdStep(weights, grads, lr, d);

                var l = loss.item<float>();
                lossSum += l;
                windowLoss += l;
                correct += logits.argmax(1).eq(yt).sum().item<long>();
                images += (int)yt.shape[0];
                window++;
            }
            if (window == MixedProgressEvery || i == slice.Steps - 1)
            {
                progress(new TrainProgress(slice.Round, slice.Slot, t + 1, images, windowLoss / window, clock.Elapsed.TotalSeconds));
                (windowLoss, window) = (0, 0);
            }
        }
        SetStep(slice.FirstStep + slice.Steps);
        var hash = _store.Write(CaptureState());
        return new SliceResult(hash, slice.Steps == 0 ? 0 : lossSum / slice.Steps, images == 0 ? 0 : (double)correct / images,
            images, clock.Elapsed.TotalSeconds);
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
