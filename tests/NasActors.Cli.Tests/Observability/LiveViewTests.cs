using System.Collections.Immutable;
using System.Text.RegularExpressions;
using NasActors.Cli.Observability;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Runtime.Experiment;
using Spectre.Console;
using Spectre.Console.Testing;

namespace NasActors.Cli.Tests.Observability;

/// <summary>The terminal's live view in a captured Spectre console; the plain lines and --quiet of a redirected run.</summary>
[Collection(SmokeRunCollection.Name)]
public sealed partial class LiveViewTests(SmokeRun run)
{
    private static PlanStatus Status(long round, string phase = "supernet")
    {
        var best = new ScoredRollout(new Rollout(new RolloutId(4), new Architecture([new("a", "x")]), 0, "gen 0 random"), new Metrics(0.4414, 1.2, 390_000, 6450));
        return new PlanStatus("spos-evolution", phase, false, [best], 1, "ck", null, null,
            [new PlanCounter("round", round, 15), new PlanCounter("generation", 0, 3), new PlanCounter("scored", 1, 18)],
            new Dictionary<string, double> { ["train_loss"] = 1.9321, ["train_accuracy"] = 0.242, ["images_trained"] = 3200, ["entropy"] = 1.25, ["baseline"] = 0.41 }
                .ToImmutableSortedDictionary(StringComparer.Ordinal));
    }

    [Fact]
    public void Live_view_must_show_phase_bars_eta_throughput_training_best_and_strategy_state()
    {
        var console = new TestConsole().Width(120);
        var facts = new LiveFacts("experiment x · spos-evolution on spos-shufflenet", TimeSpan.FromSeconds(75), 1245.4,
            new TrainProgress(5, 0, 50, 640, 1.9321, 0.5), "cpu", TimeSpan.FromSeconds(65));
        console.Write(LiveView.Render(Status(5), facts));
        var o = console.Output;
        Assert.Contains("experiment x · spos-evolution on spos-shufflenet", o);
        Assert.Matches(@"phase\s+supernet\s+elapsed 1m15s", o);
        Assert.Matches(@"round\s+█{10}░{20}\s+33% 5/15\s+ETA 1m05s", o); // the moving counter carries the ETA
        Assert.Matches(@"generation\s+░{30}\s+0% 0/3\s", o);
        Assert.Contains("1,245 img/s   step 50 loss 1.932 (cpu)", o);
        Assert.Contains("loss 1.932   accuracy 24.2 %", o);
        Assert.Contains("r4 44.14 %", o);
        Assert.Contains("baseline 41.0 %   entropy 1.25", o);
        Assert.DoesNotContain("images trained", o);
    }

    [Fact]
    public void Live_view_and_plain_lines_must_show_the_epoch_and_the_current_argmax_cell_of_a_differentiable_strategy()
    {
        const string cell = "normal 2=sep3(1)+sep3(0) 3=skip(0)+sep3(1) 4=skip(0)+sep3(1) 5=skip(0)+dil5(2) | reduce 2=max(0)+max(1) 3=max(0)+skip(2) 4=max(0)+skip(2) 5=max(0)+skip(2)";
        var s = new PlanStatus("darts", "search", false, [], 0, "ck", null, null,
            [new PlanCounter("round", 3, 12), new PlanCounter("epoch", 1, 6)],
            new Dictionary<string, double> { ["train_loss"] = 1.5, ["normal_max_weight"] = 0.2 }.ToImmutableSortedDictionary(StringComparer.Ordinal), cell);
        var console = new TestConsole().Width(240);
        console.Write(LiveView.Render(s, new LiveFacts("experiment d · darts on darts", TimeSpan.FromSeconds(30), 12, null, "cpu", null)));
        Assert.Matches("current +" + Regex.Escape(cell), console.Output);
        var line = ConsoleProgress.LiveLine(s, new ExperimentProtocol.TrainerProgressed("cpu", new TrainProgress(3, 0, 40, 640, 1.5, 0.5)), 12);
        Assert.Contains("round 4/12  epoch 2/6  step 40", line);
        Assert.EndsWith("  cell " + cell, line);
        Assert.EndsWith("  cell " + cell, ConsoleProgress.PlanLine(s));
    }

    [Fact]
    public async Task Live_progress_must_redraw_in_place_and_leave_the_last_frame()
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.Standard, Interactive = InteractionSupport.Yes, Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 100;
        var live = new LiveProgress(console, "experiment x");
        static ExperimentProtocol.Progressed P(long round) => new(new ExperimentProtocol.StatusResult("x", Status(round), 2, 1), null, 900);
        live.Report(P(5));
        Thread.Sleep(LiveProgress.Refresh * 3);
        live.Report(P(10));
        await live.DisposeAsync();
        var o = writer.ToString();
        Assert.Contains("5/15", o);
        Assert.Contains("10/15", o);
        Assert.True(o.IndexOf("5/15", StringComparison.Ordinal) < o.LastIndexOf("10/15", StringComparison.Ordinal));
        Assert.Matches(@"\x1b\[\d*A", o); // cursor up: the frame is redrawn in place, not appended
    }

    [Fact]
    public void Redirected_search_must_print_plain_timestamped_lines_at_most_one_every_few_seconds()
    {
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('[')).ToList();
        Assert.NotEmpty(lines);
        Assert.DoesNotContain('\x1b', run.Stdout); // no terminal codes in a log
        var parsed = lines.Select(l => Stamp().Match(l)).ToList();
        Assert.All(parsed, m => Assert.True(m.Success, "not a timestamped progress line: " + m.Value));
        // Within a phase, lines are at least 5 s apart (1-s stamps: 4); a new phase or the end prints at once.
        for (var i = 1; i < parsed.Count; i++)
        {
            var (a, b) = (parsed[i - 1], parsed[i]);
            if (a.Groups[3].Value != b.Groups[3].Value || b.Groups[3].Value is "finished" or "test") continue;
            var gap = Seconds(b) - Seconds(a);
            Assert.True(gap >= 4, $"two lines {gap} s apart in phase {b.Groups[3].Value}:\n{a.Value}\n{b.Value}");
        }

        static int Seconds(Match m) => int.Parse(m.Groups[1].Value) * 60 + int.Parse(m.Groups[2].Value);
    }

    [Fact]
    public void Quiet_must_print_only_the_result()
    {
        var (code, stdout, stderr) = CliProcess.Run(JournalKill.Long, "resume", SmokeRun.Name, "--store", run.Store, "--quiet");
        Assert.True(code == 0, stdout + stderr);
        Assert.DoesNotContain("resuming", stdout);
        Assert.DoesNotContain("[00:", stdout);
        Assert.StartsWith("done: experiment " + SmokeRun.Name, stdout.TrimStart());
        Assert.Contains("best architecture", stdout);
    }

    [GeneratedRegex(@"^\[(\d\d):(\d\d)\] (\S+)")]
    private static partial Regex Stamp();
}
