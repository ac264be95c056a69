using System.Buffers.Binary;
using System.Text.Json;

namespace NasActors.Cli.Tests.Observability;

/// <summary>`nas report` and `nas status --lineage` on the shared smoke search.</summary>
[Collection(SmokeRunCollection.Name)]
public sealed class ReportTests(SmokeRun run)
{
    [Fact]
    public void Report_must_be_one_self_contained_page_whose_images_all_load_in_chromium()
    {
        var html = Path.Combine(run.Store, "report.html");
        var (code, stdout, stderr) = CliProcess.Run(JournalKill.Long, "report", SmokeRun.Name, "--store", run.Store, "--out", html);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("wrote the report of " + SmokeRun.Name, stdout);
        var text = File.ReadAllText(html);
        // Self-contained: nothing fetched from anywhere, no script.
        Assert.DoesNotContain("http://", text.Replace("http://www.w3.org", ""));
        Assert.DoesNotContain("https://", text);
        Assert.DoesNotContain("<script", text);
        Assert.DoesNotContain("<link", text);
        using (var export = JsonDocument.Parse(CliProcess.Export(run.Store, SmokeRun.Name)))
        {
            var best = export.RootElement.GetProperty("top")[0];
            Assert.Contains(best.GetProperty("rollout").GetString()!, text);
            foreach (var choice in best.GetProperty("architecture").EnumerateObject()) Assert.Contains(choice.Value.ToString(), text);
            Assert.Contains(export.RootElement.GetProperty("supernet_checkpoint").GetString()!, text);
        }
        foreach (var section in new[] { "Result", "Best architecture", "Lineage", "Training and search", "Strategy state over time", "Config" })
            Assert.Contains($"<h2>{section}</h2>", text);

        var check = Chromium.Open(html, run.Store);
        // Loss, accuracy, scores by generation, Pareto, the block diagram and the strategy's series.
        Assert.True(check.Images >= 8, $"{check.Images} images");
        Assert.Empty(check.Broken);
        Assert.Empty(check.Errors);
        Assert.Empty(check.ConsoleLines);

        var png = Path.Combine(run.Store, "report.png");
        Chromium.Screenshot(html, png);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(0x89504E47u, BinaryPrimitives.ReadUInt32BigEndian(bytes)); // PNG signature
        Assert.Equal(1400, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.True(bytes.Length > 50_000, $"a {bytes.Length}-byte screenshot is too plain for a page of charts");
    }

    [Fact]
    public void Status_lineage_must_trace_the_best_architecture_to_its_origin_and_checkpoint()
    {
        var (code, stdout, stderr) = CliProcess.Run(JournalKill.Long, "status", SmokeRun.Name, "--store", run.Store, "--lineage");
        Assert.True(code == 0, stdout + stderr);
        using var export = JsonDocument.Parse(CliProcess.Export(run.Store, SmokeRun.Name));
        var best = export.RootElement.GetProperty("top")[0];
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"lineage of the best architecture of {SmokeRun.Name} ({best.GetProperty("rollout").GetString()}", lines[0]);
        var head = lines[1].Trim();
        Assert.StartsWith($"{best.GetProperty("rollout").GetString()} gen {best.GetProperty("generation").GetInt32()} ", head);
        Assert.Contains("with checkpoint " + export.RootElement.GetProperty("supernet_checkpoint").GetString()![..12], head);
        // Each parent named by the origin is a line below it (smoke.conf's seed 7 makes the best a random one of gen 0: no parents).
        var parents = System.Text.RegularExpressions.Regex.Matches(best.GetProperty("origin").GetString()!, @"\br\d+\b").Select(m => m.Value).ToList();
        if (parents.Count == 0) Assert.Equal(2, lines.Length);
        foreach (var parent in parents)
            Assert.Contains(lines.Skip(2), l => l.TrimStart(' ', '│', '├', '└', '─').StartsWith(parent + " gen ", StringComparison.Ordinal));
    }
}
