using System.Collections.Immutable;
using NasActors.Core.Engine;

namespace NasActors.Core.Progress;

/// <summary>
/// Turns a plan's successive statuses (one per journaled event, in journal order) into series with deterministic steps,
/// for TensorBoard and the report. It knows no strategy: a figure is bound, when it first appears, to the counter that
/// advanced with it (the first in the plan's order; none advanced: the plan's first counter) and is recorded each time
/// that counter's count changes, at that count ("round/train_loss" at round 12, "scored/best_accuracy" after 30 scores,
/// "controller_step/entropy" ...). The steps are therefore functions of the journal only: a resumed run that folds the
/// same journal continues the same series, never repeating or going back. Scores are grouped by their rollouts'
/// generation (or controller step) once a later one has scores or the plan is finished.
/// </summary>
public sealed class StatusTimeline
{
    private readonly Dictionary<string, string> _binding = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastStep = new(StringComparer.Ordinal);
    private readonly HashSet<int> _closed = [];
    private ImmutableDictionary<string, long> _counts = ImmutableDictionary<string, long>.Empty;
    private readonly HashSet<string> _results = new(StringComparer.Ordinal);

    /// <summary>The points <paramref name="s"/> adds (none if nothing moved).</summary>
    public TimelinePoints Add(PlanStatus s)
    {
        var scalars = ImmutableArray.CreateBuilder<ScalarPoint>();
        var histograms = ImmutableArray.CreateBuilder<HistogramPoint>();
        var counts = s.Counters.ToImmutableDictionary(c => c.Name, c => c.Done, StringComparer.Ordinal);
        var advanced = s.Counters.FirstOrDefault(c => _counts.TryGetValue(c.Name, out var before) && c.Done > before);
        foreach (var (figure, value) in s.Figures)
        {
            if (double.IsNaN(value) || double.IsInfinity(value)) continue;
            if (!_binding.TryGetValue(figure, out var counter))
            {
                var by = advanced ?? s.Counters.FirstOrDefault(c => c.Total > 0) ?? s.Counters.FirstOrDefault();
                if (by is null) continue;
                _binding[figure] = counter = by.Name;
            }
            if (!counts.TryGetValue(counter, out var step)) continue;
            var tag = counter + "/" + figure;
            if (_lastStep.TryGetValue(tag, out var last) && last == step) continue;
            _lastStep[tag] = step;
            scalars.Add(new ScalarPoint(tag, step, value));
        }
        _counts = counts;

        // Scores by generation: a generation is complete once a later one has scores (plans score them in order) or at the end.
        if (!s.Ranking.IsEmpty)
        {
            var byGeneration = s.Ranking.GroupBy(r => r.Rollout.Generation).OrderBy(g => g.Key).ToList();
            var latest = byGeneration[^1].Key;
            foreach (var g in byGeneration)
            {
                if ((g.Key == latest && !s.Finished) || !_closed.Add(g.Key)) continue;
                var acc = g.Select(r => r.Metrics.Accuracy).Order().ToImmutableArray();
                histograms.Add(new HistogramPoint("generation/accuracy", g.Key, acc));
                scalars.Add(new ScalarPoint("generation/best_accuracy", g.Key, acc[^1]));
                scalars.Add(new ScalarPoint("generation/mean_accuracy", g.Key, acc.Average()));
                scalars.Add(new ScalarPoint("generation/candidates", g.Key, acc.Length));
            }
        }
        if (s.Test is { } t && _results.Add("test"))
            scalars.Add(new ScalarPoint("result/test_accuracy", 0, t.Metrics.Accuracy));
        if (s.Retrained is { } r && _results.Add("retrained"))
            scalars.Add(new ScalarPoint("result/retrained_test_accuracy", r.Epochs, r.Metrics.Accuracy));
        if (s.Finished && !s.Ranking.IsEmpty && _results.Add("best"))
            scalars.Add(new ScalarPoint("result/best_validation_accuracy", 0, s.Ranking[0].Metrics.Accuracy));
        return scalars.Count == 0 && histograms.Count == 0 ? TimelinePoints.None : new TimelinePoints(scalars.ToImmutable(), histograms.ToImmutable());
    }
}
