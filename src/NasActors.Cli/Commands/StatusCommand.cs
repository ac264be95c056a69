using System.Globalization;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;

namespace NasActors.Cli;

/// <summary>`nas status [NAME]`: recovers experiments read-only from their journals and prints where they stand.</summary>
internal static class StatusCommand
{
    public static async Task<int> Run(CliArgs a)
    {
        var store = new ExperimentStore(a.Store);
        if (a.Positional.Length == 0)
        {
            var names = store.List();
            if (names.Count == 0)
            {
                Console.WriteLine($"no experiments in {store.Root}; start one with `nas search`");
                return 0;
            }
            foreach (var n in names)
            {
                try
                {
                    var (status, ranking) = await Query(ExperimentContext.Open(store, n));
                    var best = ranking.Top.IsEmpty ? "-" : ranking.Top[0].Metrics.Accuracy.ToString("P2", CultureInfo.InvariantCulture);
                    Console.WriteLine($"{n,-32} {status.Phase,-9} rounds {status.RoundsDone}/{status.Rounds}  scored {ranking.Scored,5}  best {best}");
                }
                catch (Exception e) when (e is Core.NasUserException or ExperimentFailedException)
                {
                    // One unreadable experiment must not hide the others.
                    Console.WriteLine($"{n,-32} unreadable: {e.Message}");
                }
            }
            return 0;
        }
        var ctx = ExperimentContext.Open(store, a.RequireName());
        var (s, r) = await Query(ctx);
        Console.WriteLine($"experiment {ctx.Name} in {store.DirectoryOf(ctx.Name)}");
        Console.WriteLine($"  phase      {s.Phase}");
        Console.WriteLine($"  supernet   round {s.RoundsDone}/{s.Rounds}, {s.ImagesTrained:N0} images trained, checkpoint {s.SupernetCheckpoint ?? "-"}");
        if (s.Epochs > 0)
        {
            Console.WriteLine($"  controller {s.ControllerEpochsDone}/{s.Epochs} epochs trained, {r.Generation} policy updates, policy {s.Policy ?? "-"}");
            Console.WriteLine($"  derive     {r.Scored} sampled architectures scored{(r.Finished ? ", finished" : "")}");
        }
        else
            Console.WriteLine($"  search     {r.Strategy}, generation {r.Generation + 1}, {r.Scored} candidates scored{(r.Finished ? ", finished" : "")}");
        if (s.Phase == ExperimentProtocol.Phase.Finished) Report.PrintResult(ctx, s, r, null);
        else if (!r.Top.IsEmpty)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  best so far {r.Top[0].Rollout.Id} validation accuracy {r.Top[0].Metrics.Accuracy:P2}"));
        return 0;
    }

    public static async Task<(ExperimentProtocol.StatusResult, Runtime.Population.PopulationProtocol.RankingResult)> Query(ExperimentContext ctx, int topK = 0)
    {
        await using var host = ExperimentHost.OpenReadOnly(ctx.Store, ctx.Name, ctx.Settings, ctx.Factory.Space, ctx.Factory.Costs);
        var timeout = TimeSpan.FromSeconds(60);
        var statusTask = host.Status(timeout);
        // A journal that cannot be replayed fails the experiment instead of answering: surface that error.
        if (await Task.WhenAny(statusTask, host.Completion) == host.Completion && host.Completion.IsFaulted)
            await host.Completion;
        var status = await statusTask;
        var rankingTask = host.Ranking(topK > 0 ? topK : ctx.Settings.ExportTopK, timeout);
        if (await Task.WhenAny(rankingTask, host.Completion) == host.Completion && host.Completion.IsFaulted)
            await host.Completion;
        return (status, await rankingTask);
    }
}
