using System.Globalization;
using NasActors.Core.Engine;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace NasActors.Cli.Observability;

/// <summary>
/// The terminal's live view of a running experiment, as one Spectre.Console renderable: phase and elapsed time, a bar
/// per progress counter (the moving one with its ETA), throughput and the trainer's latest step, training loss and
/// accuracy, the best so far, and every other figure of the strategy (population best, controller entropy, baseline,
/// mean reward, ...) and what it favours now (DARTS: the argmax cells). A pure function of the status: the same frame is drawn on a terminal and in a test console.
/// </summary>
internal static class LiveView
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private const int BarWidth = 30;

    public static IRenderable Render(PlanStatus s, LiveFacts f)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        grid.AddRow(new Markup("[bold]phase[/]"), new Markup($"[bold yellow]{Esc(s.Phase)}[/]   elapsed {Clock(f.Elapsed)}"));
        var moving = s.Counters.FirstOrDefault(c => c.Total > 0 && c.Done < c.Total)?.Name;
        foreach (var c in s.Counters.Where(c => c.Total > 0))
        {
            var eta = c.Name == moving && f.Eta is { } e ? $"   ETA {Clock(e)}" : "";
            grid.AddRow(new Markup(Esc(c.Name.Replace('_', ' '))), new Markup(Bar(c.Done, c.Total) + Esc(string.Create(Inv, $" {c.Done}/{c.Total}{eta}"))));
        }
        if (f.ImagesPerSecond > 0 || f.Live is not null)
        {
            var step = f.Live is { } t ? string.Create(Inv, $"   step {t.Step} loss {t.Loss:F3} ({f.Device})") : "";
            grid.AddRow(new Markup("throughput"), new Markup(Esc(string.Create(Inv, $"{f.ImagesPerSecond:N0} img/s{step}"))));
        }
        var train = new List<string>();
        if (s.Figures.TryGetValue("train_loss", out var loss)) train.Add(string.Create(Inv, $"loss {loss:F3}"));
        if (s.Figures.TryGetValue("train_accuracy", out var acc)) train.Add(string.Create(Inv, $"accuracy {acc:P1}"));
        if (train.Count > 0) grid.AddRow(new Markup("training"), new Markup(Esc(string.Join("   ", train))));
        if (!s.Ranking.IsEmpty)
        {
            var b = s.Ranking[0];
            grid.AddRow(new Markup("best so far"), new Markup(string.Create(Inv, $"[green]{b.Rollout.Id} {b.Metrics.Accuracy:P2}[/]  {b.Metrics.Flops / 1e6:F2} M FLOPs  {Esc(b.Rollout.Origin)}  ({s.Scored} scored)")));
        }
        var strategy = s.Figures.Where(kv => kv.Key is not ("train_loss" or "train_accuracy" or "images_trained"))
            .Select(kv => $"{kv.Key.Replace('_', ' ')} {Figure(kv.Key, kv.Value)}").ToList();
        if (strategy.Count > 0) grid.AddRow(new Markup("strategy"), new Markup(Esc(string.Join("   ", strategy))));
        if (s.Current is { } current) grid.AddRow(new Markup("current"), new Markup(Esc(current)));
        return new Panel(grid).Header(Esc(f.Title)).Border(BoxBorder.Rounded).Expand();
    }

    /// <summary>A bar of <see cref="BarWidth"/> cells with the share done.</summary>
    internal static string Bar(long done, long total)
    {
        var share = total <= 0 ? 0 : Math.Clamp((double)done / total, 0, 1);
        var full = (int)Math.Round(share * BarWidth);
        return $"[green]{new string('█', full)}[/][grey]{new string('░', BarWidth - full)}[/] " + string.Create(Inv, $"{share * 100,3:F0}%");
    }

    internal static string Figure(string key, double v) =>
        key.Contains("accuracy", StringComparison.Ordinal) || key is "mean_reward" or "baseline" ? v.ToString("P1", Inv) : v.ToString("G4", Inv);

    internal static string Clock(TimeSpan t) => string.Create(Inv, $"{(int)t.TotalMinutes}m{t.Seconds:00}s");

    private static string Esc(string s) => Markup.Escape(s);
}
