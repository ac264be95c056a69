using System.Text;
using System.Text.Json;
using NasActors.Core;
using NasActors.Core.SearchSpaces;

namespace NasActors.Cli;

/// <summary>
/// `nas export NAME`: the top K architectures as NNI architecture dicts with their metrics. The file depends only on
/// the journal's content (no names, paths or timestamps), so the same seed gives a byte-identical file.
/// </summary>
internal static class ExportCommand
{
    public static Task<int> Run(CliArgs a)
    {
        var store = ExperimentContext.OpenStore(a);
        var name = a.RequireName();
        var top = a.CountIfGiven("--top") ?? 0;
        var (settings, view) = StatusCommand.Read(store, name);
        if (top == 0) top = settings.ExportTopK;
        var json = Render(settings.Seed, view, top);
        var outPath = a.Option("--out");
        // Written whole or not at all; never over a device, pipe or symbolic link (see OutputFile).
        if (outPath is null)
        {
            Console.Out.Write(json);
            return Task.FromResult(0);
        }
        if (OutputFile.Write(outPath, json, refuseExistingFile: false)) return Task.FromResult(0);
        var full = Path.GetFullPath(outPath);
        Console.WriteLine($"wrote the top {Math.Min(top, view.Status.Ranking.Length)} architectures of {name} to {full}");
        return Task.FromResult(0);
    }

    public static string Render(long seed, Runtime.Hosting.ExperimentJournal.View view, int top)
    {
        var space = view.Started.ToSpace();
        var status = view.Status;
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", "nasactors-export/1");
            w.WriteString("strategy", status.Strategy);
            w.WriteString("search_space", space.Name);
            w.WriteString("search_space_hash", space.Hash);
            w.WriteNumber("seed", seed);
            w.WriteString("phase", status.Phase);
            w.WriteNumber("scored", status.Scored);
            if (status.Checkpoint is { } ck) w.WriteString("supernet_checkpoint", ck);
            if (status.Test is { } t)
            {
                w.WriteStartObject("test");
                w.WriteString("rollout", t.Id.ToString());
                w.WriteNumber("accuracy", t.Metrics.Accuracy);
                w.WriteNumber("loss", t.Metrics.Loss);
                w.WriteEndObject();
            }
            if (status.Retrained is { } rt)
            {
                w.WriteStartObject("retrained");
                w.WriteString("rollout", rt.Id.ToString());
                w.WriteNumber("epochs", rt.Epochs);
                w.WriteNumber("test_accuracy", rt.Metrics.Accuracy);
                w.WriteNumber("test_loss", rt.Metrics.Loss);
                w.WriteNumber("flops", rt.Metrics.Flops);
                w.WriteNumber("params", rt.Metrics.Params);
                w.WriteString("weights", rt.Weights);
                w.WriteEndObject();
            }
            w.WriteStartArray("top");
            var rank = 1;
            foreach (var r in status.Ranking.Take(top))
            {
                w.WriteStartObject();
                w.WriteNumber("rank", rank++);
                w.WriteString("rollout", r.Rollout.Id.ToString());
                w.WriteNumber("generation", r.Rollout.Generation);
                w.WriteString("origin", r.Rollout.Origin);
                w.WritePropertyName("architecture");
                NniArchitectureJson.Write(w, r.Rollout.Architecture, space);
                w.WriteStartObject("metrics");
                WriteMetrics(w, r.Metrics);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    /// <summary>A candidate's figures as the export writes them (also `nas eval-arch --out`).</summary>
    internal static void WriteMetrics(Utf8JsonWriter w, Core.Experiments.Metrics m)
    {
        w.WriteNumber("accuracy", m.Accuracy);
        w.WriteNumber("loss", m.Loss);
        w.WriteNumber("flops", m.Flops);
        w.WriteNumber("params", m.Params);
    }
}
