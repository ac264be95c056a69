using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.Randomness;

namespace NasActors.Cli;

/// <summary>
/// `nas derive NAME [-n K] [--seed S] [--split validation|test] [--store DIR] [--out FILE]` (aw_nas's derive): asks
/// experiment NAME's strategy, as its journal leaves it (finished or interrupted), for K architectures — the population's
/// best, samples of the ENAS policy, the DARTS cell and samples of its weights — and scores them with the latest shared
/// weights, best first. Reads the store, writes nothing to it.
/// </summary>
internal static class DeriveCommand
{
    public static Task<int> Run(CliArgs a)
    {
        var name = a.RequireName();
        var count = a.Count("-n");
        var split = EvalArchCommand.Split(a);
        var store = ExperimentContext.OpenStore(a);
        var (settings, view) = StatusCommand.Read(store, name);
        var seed = a.Seed(view.Started.Seed);
        var plan = view.Plan as IDerivingPlan
                   ?? throw new NasUserException($"experiment {name} ran {view.Plan.Strategy}, which has no strategy state to derive architectures from; score architectures of your own with `nas eval-arch {name} ARCHS.json`");
        var checkpoint = EvalArchCommand.RequireCheckpoint(name, view);
        return Task.FromResult(EvalArchCommand.ScoreAndPrint(a, store, name, settings, view, checkpoint, split,
            $"derived by {view.Plan.Strategy} (seed {seed})",
            backend =>
            {
                var archs = plan.Derive(view.State, count, Xoshiro256.FromSeed(seed), new WorkContext(backend, _ => { }, CancellationToken.None));
                if (archs.Length < count)
                    Console.WriteLine($"{view.Plan.Strategy} holds {archs.Length} distinct architecture(s), fewer than the {count} asked for (-n)");
                return archs;
            }));
    }
}
