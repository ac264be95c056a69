using System.Diagnostics;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;

namespace NasActors.Bench;

/// <summary>One search through the real actors, timed per phase from the experiment's own (structured) progress messages.</summary>
internal sealed record SupernetRun(double StartupSeconds, double SupernetSeconds, long Images, double SearchSeconds, int Scored, double FirstRoundDoneSeconds)
{
    public double ImagesPerSecond => Images / SupernetSeconds;
    public double CandidatesPerMinute => Scored / (SearchSeconds / 60);

    public static async Task<SupernetRun> Measure(NasSettings s, bool search)
    {
        var dir = BenchConfig.TempDir("run");
        var store = new ExperimentStore(dir);
        store.Create("bench", "");
        using var factory = BenchConfig.Factory(s, store.CheckpointDirectory("bench"));
        factory.Validate(s.Devices); // data loaded before the clock starts, as in the bare loop
        var clock = Stopwatch.StartNew();
        var timed = new TimedFactory(factory, clock);
        double firstRound = -1, supernetDone = -1, searchDone = -1;
        long images = 0;
        int scored = 0;
        var gate = new object();
        var searchEnded = new TaskCompletionSource();
        void OnProgress(ExperimentProtocol.Progressed p)
        {
            lock (gate)
            {
                var t = clock.Elapsed.TotalSeconds;
                var plan = p.Status.Plan;
                if (firstRound < 0 && plan.Counter("round")?.Done == 1) firstRound = t;
                if (supernetDone < 0 && plan.Phase != "supernet")
                {
                    supernetDone = t;
                    images = (long)plan.Figures.GetValueOrDefault("images_trained");
                    if (!search) searchEnded.TrySetResult();
                }
                scored = Math.Max(scored, plan.Scored);
                if (plan.Phase is "test" or "retrain" or "finished" && searchDone < 0)
                {
                    searchDone = t;
                    searchEnded.TrySetResult();
                }
            }
        }
        var host = ExperimentHost.Start(store, "bench", s, timed, OnProgress);
        await Task.WhenAny(searchEnded.Task, host.Completion);
        await host.DisposeAsync();
        try { Directory.Delete(dir, true); } catch (IOException) { }
        var firstWork = timed.FirstWorkSeconds;
        return new SupernetRun(firstWork, supernetDone - firstWork, images, searchDone - supernetDone, scored, firstRound);
    }
}
