using System.Globalization;
using System.Net;
using System.Text;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Progress;
using NasActors.Core.SearchSpaces;
using NasActors.Runtime.Hosting;

namespace NasActors.Cli.Reporting;

/// <summary>
/// `nas report`'s page: one self-contained HTML file (styles inline, every image a data: URI, no script), built from
/// the journal's history: the config and result, the series of <see cref="StatusTimeline"/> (the same as TensorBoard's),
/// scores by generation, FLOPs vs accuracy with the Pareto front, the best architecture's lineage and its diagram.
/// </summary>
internal static class HtmlReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <param name="render">Renders DOT text to SVG (Graphviz).</param>
    public static string Build(string name, string config, ExperimentJournal.View view, IReadOnlyList<ExperimentJournal.Step> steps, Func<string, string> render)
    {
        var s = view.Status;
        var space = view.Started.ToSpace();
        var scored = s.Ranking;
        var series = new SortedDictionary<string, List<(long Step, double Value)>>(StringComparer.Ordinal);
        var timeline = new StatusTimeline();
        foreach (var step in steps)
            foreach (var p in timeline.Add(step.Status).Scalars)
            {
                if (!series.TryGetValue(p.Tag, out var list)) series[p.Tag] = list = [];
                list.Add((p.Step, p.Value));
            }

        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E($"NAS report: {name}")).Append("</title>\n");
        h.Append("<style>body{font-family:Helvetica,Arial,sans-serif;margin:24px;max-width:1400px;color:#222}h1{margin-bottom:4px}")
         .Append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}")
         .Append("pre{background:#f6f6f6;padding:8px;overflow:auto;white-space:pre-wrap;word-break:break-word;font-size:12px;max-height:420px}.grid{display:flex;flex-wrap:wrap;gap:12px}")
         .Append("figure{margin:0;max-width:100%}img{max-width:100%}figcaption{font-size:12px;color:#555}.muted{color:#777}</style></head><body>\n");
        h.Append("<h1>").Append(E(name)).Append("</h1>\n<p class=\"muted\">").Append(E($"{s.Strategy} on {space.Name} ({space.Choices.Length} choices, {SearchCommand.SpaceSize(space.Size)} architectures), seed {view.Started.Seed}; phase {s.Phase}; {s.Scored} candidates scored; {view.Events} journal events")).Append("</p>\n");

        // Result
        h.Append("<h2>Result</h2>\n");
        if (scored.IsEmpty) h.Append("<p>No architecture was scored yet.</p>\n");
        else
        {
            var best = scored[0];
            h.Append("<table><tr><th>best</th><td>").Append(E($"{best.Rollout.Id} ({best.Rollout.Origin})")).Append("</td></tr>");
            Row(h, "validation accuracy", best.Metrics.Accuracy.ToString("P2", Inv));
            if (s.Test is { } t && t.Id == best.Rollout.Id) Row(h, "test accuracy (shared weights)", t.Metrics.Accuracy.ToString("P2", Inv));
            if (s.Retrained is { } rt && rt.Id == best.Rollout.Id) Row(h, $"test accuracy (retrained {rt.Epochs:N0} epochs)", rt.Metrics.Accuracy.ToString("P2", Inv));
            Row(h, "FLOPs / params", string.Create(Inv, $"{best.Metrics.Flops / 1e6:F2} M / {best.Metrics.Params:N0}"));
            Row(h, "shared weights", s.Checkpoint ?? "-");
            h.Append("</table>\n<pre>").Append(E(NniArchitectureJson.ToJson(best.Rollout.Architecture, space))).Append("</pre>\n");
            h.Append("<h3>Top ").Append(Math.Min(10, scored.Length)).Append("</h3>\n<table><tr><th>#</th><th>rollout</th><th>origin</th><th>accuracy</th><th>FLOPs (M)</th><th>params</th></tr>");
            var rank = 1;
            foreach (var r in scored.Take(10))
                h.Append(string.Create(Inv, $"<tr><td>{rank++}</td><td>{r.Rollout.Id}</td><td>{E(r.Rollout.Origin)}</td><td>{r.Metrics.Accuracy:P2}</td><td>{r.Metrics.Flops / 1e6:F2}</td><td>{r.Metrics.Params:N0}</td></tr>"));
            h.Append("</table>\n");

            h.Append("<h2>Best architecture</h2>\n<div class=\"grid\">");
            foreach (var (title, dot) in ArchitectureDiagram.Dots(space, best.Rollout.Architecture))
                Figure(h, "data:image/svg+xml;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(render(dot))), title);
            h.Append("</div>\n");

            var root = Lineage.OfBest([.. steps.Select(x => (x.Sequence, x.Status))]);
            if (root is not null)
            {
                h.Append("<h2>Lineage</h2>\n<p class=\"muted\">Where the best architecture came from: parents below their child, each with the journal event and the shared weights that scored it.</p>\n<pre>");
                foreach (var line in Lineage.Lines(root)) h.Append(E(line)).Append('\n');
                h.Append("</pre>\n");
            }
        }

        // Plots
        h.Append("<h2>Training and search</h2>\n<div class=\"grid\">");
        if (series.TryGetValue("round/train_loss", out var loss)) Png(h, ReportPlots.Series("Shared-weight training loss", "round", "loss", loss), "training loss by round");
        if (series.TryGetValue("round/train_accuracy", out var acc)) Png(h, ReportPlots.Series("Shared-weight training accuracy", "round", "accuracy", acc), "training accuracy by round");
        if (!scored.IsEmpty)
        {
            var unit = s.Counters.Any(c => c.Name == "generation") ? "generation" : "controller step";
            Png(h, ReportPlots.ByGeneration(scored, unit), "scores by " + unit);
            Png(h, ReportPlots.Pareto(scored), $"{ReportPlots.ParetoFront(scored).Count} architectures on the Pareto front of {scored.Length}");
        }
        h.Append("</div>\n<h2>Strategy state over time</h2>\n<div class=\"grid\">");
        foreach (var (tag, points) in series)
        {
            if (tag.StartsWith("result/", StringComparison.Ordinal) || tag is "round/train_loss" or "round/train_accuracy" || points.Count < 2) continue;
            var counter = tag[..tag.IndexOf('/')];
            Png(h, ReportPlots.Series(tag, counter.Replace('_', ' '), tag[(tag.IndexOf('/') + 1)..].Replace('_', ' '), points, small: true), tag);
        }
        h.Append("</div>\n");

        h.Append("<h2>Config</h2>\n<pre>").Append(E(config)).Append("</pre>\n");
        h.Append("<p class=\"muted\">").Append(E($"written by {Nas.CommandName} report from the journal of {name}")).Append("</p>\n</body></html>\n");
        return h.ToString();
    }

    private static void Row(StringBuilder h, string k, string v) => h.Append("<tr><th>").Append(E(k)).Append("</th><td>").Append(E(v)).Append("</td></tr>");

    private static void Png(StringBuilder h, byte[] png, string caption) => Figure(h, "data:image/png;base64," + Convert.ToBase64String(png), caption);

    private static void Figure(StringBuilder h, string src, string caption) =>
        h.Append("<figure><img src=\"").Append(src).Append("\" alt=\"").Append(E(caption)).Append("\"><figcaption>").Append(E(caption)).Append("</figcaption></figure>\n");

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
