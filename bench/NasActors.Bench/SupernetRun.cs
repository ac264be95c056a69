using System.Diagnostics;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;
using NasActors.Torch.Training;

namespace NasActors.Bench;

/// <summary>One search through the real actors, timed per phase from the experiment's own progress messages.</summary>
internal sealed record SupernetRun(double StartupSeconds, double SupernetSeconds, long Images, double SearchSeconds, int Scored, double FirstRoundDoneSeconds)
{
    public double ImagesPerSecond => Images / SupernetSeconds;
    public double CandidatesPerMinute => Scored / (SearchSeconds / 60);

    public static async Task<SupernetRun> Measure(NasSettings s, bool search)
    {
        var dir = BenchConfig.TempDir("run");
        var store = new ExperimentStore(dir);
        store.Create("bench", "");
        using var factory = new TorchSposBackendFactory(s.Supernet, s.Train with { TotalSteps = s.StepsPerSlot }, s.Data, store.CheckpointDirectory("bench"), s.EffectiveThreads);
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
                if (firstRound < 0 && p.Status.RoundsDone == 1) firstRound = t;
                if (supernetDone < 0 && p.Status.Phase != ExperimentProtocol.Phase.Supernet)
                {
                    supernetDone = t;
                    images = p.Status.ImagesTrained;
                    if (!search) searchEnded.TrySetResult();
                }
                if (p.Status.Phase == ExperimentProtocol.Phase.Test && searchDone < 0)
                {
                    searchDone = t;
                    searchEnded.TrySetResult();
                }
                if (p.Line.StartsWith("search", StringComparison.Ordinal))
                {
                    var i = p.Line.IndexOf("scored ", StringComparison.Ordinal) + 7;
                    scored = int.Parse(p.Line[i..].Split(' ')[0]);
                }
            }
        }
        var host = ExperimentHost.Start(store, "bench", s, factory.Space, factory.Costs, timed, OnProgress);
        await Task.WhenAny(searchEnded.Task, host.Completion);
        await host.DisposeAsync();
        try { Directory.Delete(dir, true); } catch (IOException) { }
        var firstWork = timed.FirstWorkSeconds;
        return new SupernetRun(firstWork, supernetDone - firstWork, images, searchDone - supernetDone, scored, firstRound);
    }
}
