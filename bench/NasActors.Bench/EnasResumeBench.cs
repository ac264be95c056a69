using System.Diagnostics;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;

namespace NasActors.Bench;

/// <summary>
/// Resume time after kill -9 of a real ENAS experiment (hocon/enas-smoke.conf, Torch backend): a child process runs the
/// search and prints its progress; once it is training the controller in epoch 2 (or deriving) it gets SIGKILL, and this
/// process resumes the experiment, times start-up to the first new work, and runs it to completion.
/// </summary>
internal static class EnasResumeBench
{
    private const string Name = "enas-resume";

    private static NasSettings Settings() => BenchConfig.LoadFile("enas-smoke.conf");

    public static async Task Child(string[] args)
    {
        var store = new ExperimentStore(args[0]);
        var s = Settings();
        if (!store.Exists(Name)) store.Create(Name, "");
        using var factory = BenchConfig.Factory(s, store.CheckpointDirectory(Name));
        factory.Validate(s.Devices);
        // One line whenever the plan's phase or counters change: "controller epoch 1/2 round 2/4 controller_step 4/6".
        string? last = null;
        var host = ExperimentHost.Start(store, Name, s, factory, p =>
        {
            var plan = p.Status.Plan;
            var line = plan.Phase + string.Concat(plan.Counters.Select(c => $" {c.Name} {c.Done}/{c.Total}"));
            if (line != last) Console.WriteLine(last = line);
        });
        await host.Completion;
    }

    public static async Task Run(string[] args)
    {
        var dir = BenchConfig.TempDir("enas-resume");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(EnasResumeBench).Assembly.Location);
        psi.ArgumentList.Add("enas-resume-child");
        psi.ArgumentList.Add(dir);
        var childClock = Stopwatch.StartNew();
        using var child = Process.Start(psi)!;
        string? last = null;
        var reached = false;
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            last = line;
            // The controller training in epoch 2 (one controller epoch done), or already deriving.
            if ((line.StartsWith("controller ", StringComparison.Ordinal) && !line.Contains(" epoch 0/", StringComparison.Ordinal))
                || line.StartsWith("derive", StringComparison.Ordinal))
            {
                reached = true;
                break;
            }
        }
        if (!reached)
        {
            // The child finished (or died) before the kill point: nothing to resume; say so rather than time a no-op.
            await child.WaitForExitAsync();
            Console.WriteLine($"enas-resume: the child ended (exit {child.ExitCode}) before reaching controller epoch 2; last line: {last}");
            Directory.Delete(dir, true);
            return;
        }
        Process.Start("kill", ["-9", child.Id.ToString()])!.WaitForExit();
        await child.WaitForExitAsync();
        Console.WriteLine($"enas-resume: hocon/enas-smoke.conf, child killed with SIGKILL after {childClock.Elapsed.TotalSeconds:F1} s at: {last}");

        var s = Settings();
        var store = new ExperimentStore(dir);
        var clock = Stopwatch.StartNew();
        // Factory creation as `nas resume` does it: TorchSharp init, search space, data load and cost table (Validate).
        var inner = BenchConfig.Factory(s, store.CheckpointDirectory(Name));
        var factory = new TimedFactory(inner, clock);
        factory.Validate(s.Devices);
        var factorySeconds = clock.Elapsed.TotalSeconds;
        var host = ExperimentHost.Start(store, Name, s, factory);
        await factory.FirstWork.Task;
        var first = factory.FirstWorkSeconds;
        // Ask right after the first work began: the phase it resumed in, as recovered from the journal.
        var status = (await host.Status(TimeSpan.FromSeconds(30))).Plan;
        Console.WriteLine($"  start-up to first new work: {first:F2} s (first work: {factory.FirstWorkKind})");
        Console.WriteLine($"    TorchSharp init, search space, data load, cost table: {factorySeconds:F2} s");
        Console.WriteLine($"    ActorSystem, SQLite plugin, journal replay (no snapshots), first dispatch: {first - factorySeconds:F2} s");
        Console.WriteLine($"  resumed in phase {status.Phase}: shared-weight rounds {status.Counter("round")?.Done}/{status.Counter("round")?.Total}, " +
                          $"controller epochs done {status.Counter("epoch")?.Done}/{status.Counter("epoch")?.Total}");
        var done = (await host.Completion).Status.Plan;
        var total = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  resume to done: {total:F2} s  (best derived {done.Ranking.FirstOrDefault()?.Metrics.Accuracy:P2} val, " +
                          $"test {done.Test?.Metrics.Accuracy:P2}, {done.Scored} derived)");
        await host.DisposeAsync();
        inner.Dispose();
        Directory.Delete(dir, true);
    }
}
