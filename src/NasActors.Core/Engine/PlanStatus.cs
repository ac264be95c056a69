using System.Collections.Immutable;
using NasActors.Core.Experiments;

namespace NasActors.Core.Engine;

/// <summary>
/// Where a plan stands, as data: what status, export, progress views and the report render (never a string built
/// inside an actor).
/// </summary>
/// <param name="Phase">The algorithm's phase in its own words (population plans: "supernet", "search"; ENAS: "policy", "shared", "controller", "derive"; then "test", "retrain", "finished").</param>
/// <param name="Ranking">Every scored candidate the result is chosen from, best first.</param>
/// <param name="Checkpoint">The shared weights scores were measured with, if any.</param>
/// <param name="Test">The best candidate measured on the test split (shared weights).</param>
/// <param name="Retrained">The best candidate retrained from scratch and measured on the test split.</param>
/// <param name="Counters">Progress counters, e.g. ("round", 3, 30), ("generation", 2, 6).</param>
/// <param name="Figures">The strategy's own figures: training loss, mean reward, baseline, entropy, ...</param>
/// <param name="Current">What the strategy favours now, in one short line, where it has one before its result (DARTS: the cells the latest architecture weights derive).</param>
public sealed record PlanStatus(
    string Strategy,
    string Phase,
    bool Finished,
    ImmutableArray<ScoredRollout> Ranking,
    int Scored,
    string? Checkpoint,
    TestResult? Test,
    RetrainResult? Retrained,
    ImmutableArray<PlanCounter> Counters,
    ImmutableSortedDictionary<string, double> Figures,
    string? Current = null)
{
    public PlanCounter? Counter(string name) => Counters.FirstOrDefault(c => c.Name == name);
}
