using NasActors.Cli.Reporting;
using NasActors.Core;
using NasActors.Runtime.Hosting;

namespace NasActors.Cli;

/// <summary>`nas report NAME [--out FILE]`: the experiment as one self-contained HTML page (see <see cref="HtmlReport"/>), read from its journal.</summary>
internal static class ReportCommand
{
    public static Task<int> Run(CliArgs a)
    {
        var store = ExperimentContext.OpenStore(a);
        var name = a.RequireName();
        var settings = ExperimentContext.ReadSettings(store, name);
        var (view, steps) = ExperimentJournal.History(store, name, settings);
        var dot = DrawCommand.FindDot("report");
        var tmp = Directory.CreateTempSubdirectory("nas-report-");
        string html;
        try
        {
            var n = 0;
            html = HtmlReport.Build(name, store.ReadConfig(name), view, steps, text =>
            {
                var input = Path.Combine(tmp.FullName, $"{n}.dot");
                var output = Path.Combine(tmp.FullName, $"{n++}.svg");
                File.WriteAllText(input, text);
                DrawCommand.Render(dot, "svg", input, output);
                return File.ReadAllText(output);
            });
        }
        finally { tmp.Delete(recursive: true); }
        var outPath = a.Option("--out") ?? name + ".html";
        if (OutputFile.Write(outPath, html, refuseExistingFile: false)) return Task.FromResult(0);
        Console.WriteLine($"wrote the report of {name} to {Path.GetFullPath(outPath)} ({html.Length / 1024} KB)");
        return Task.FromResult(0);
    }
}
