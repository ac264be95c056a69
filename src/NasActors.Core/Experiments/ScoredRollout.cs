namespace NasActors.Core.Experiments;

/// <summary>A rollout and the metrics it was scored with.</summary>
public sealed record ScoredRollout(Rollout Rollout, Metrics Metrics)
{
    /// <summary>Best first: higher accuracy, then lower loss, then smaller id, so ties rank the same on every run.</summary>
    public static readonly IComparer<ScoredRollout> BestFirst = Comparer<ScoredRollout>.Create((a, b) =>
    {
        var c = b.Metrics.Accuracy.CompareTo(a.Metrics.Accuracy);
        if (c != 0) return c;
        c = a.Metrics.Loss.CompareTo(b.Metrics.Loss);
        return c != 0 ? c : a.Rollout.Id.CompareTo(b.Rollout.Id);
    });
}
