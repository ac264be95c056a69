using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NasActors.Cli.Tests.Observability;

/// <summary>
/// Opens a page in Debian's headless Chromium (installed by test.sh): a copy of it with a probe script first in its
/// head (it records page errors and, on load, whether every image decoded) is dumped as DOM; the page itself is
/// screenshotted. Console messages come back on stderr (--enable-logging=stderr).
/// </summary>
internal static partial class Chromium
{
    public sealed record Check(int Images, List<string> Broken, List<string> Errors, List<string> ConsoleLines);

    private const string Probe = """
        <script>
        window.__nasErrors = [];
        window.addEventListener('error', e => window.__nasErrors.push(e.message || ('failed to load ' + ((e.target && (e.target.alt || e.target.src)) || '?').slice(0, 80))), true);
        window.addEventListener('load', () => {
          const imgs = Array.from(document.images);
          const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0 && i.naturalHeight > 0)).map(i => i.alt || i.src.slice(0, 60));
          const pre = document.createElement('pre');
          pre.id = 'nas-check';
          pre.textContent = JSON.stringify({ images: imgs.length, broken: broken, errors: window.__nasErrors });
          document.body.appendChild(pre);
        });
        </script>
        """;

    public static Check Open(string html, string workDir)
    {
        var probed = Path.Combine(workDir, "probed.html");
        File.WriteAllText(probed, File.ReadAllText(html).Replace("<head>", "<head>" + Probe, StringComparison.Ordinal));
        var (_, dom, err) = Run(workDir, "--dump-dom", "--virtual-time-budget=10000", new Uri(probed).AbsoluteUri);
        var m = CheckRegex().Match(dom);
        if (!m.Success) throw new InvalidOperationException("the probe wrote no result; chromium said:\n" + err);
        using var doc = JsonDocument.Parse(WebUtility.HtmlDecode(m.Groups[1].Value));
        var r = doc.RootElement;
        return new Check(r.GetProperty("images").GetInt32(),
            [.. r.GetProperty("broken").EnumerateArray().Select(e => e.GetString()!)],
            [.. r.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!)],
            [.. err.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal) && !l.Contains("probed.html", StringComparison.Ordinal) || l.Contains("Uncaught", StringComparison.Ordinal))]);
    }

    public static void Screenshot(string html, string png, int width = 1400, int height = 2600) =>
        Run(Path.GetDirectoryName(png)!, $"--window-size={width},{height}", "--hide-scrollbars", "--screenshot=" + png, new Uri(html).AbsoluteUri);

    private static (int Code, string Out, string Err) Run(string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo("chromium") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workDir };
        // A profile of its own, so parallel or leftover browsers never share one.
        foreach (var a in new[] { "--headless", "--disable-gpu", "--no-sandbox", "--enable-logging=stderr", "--v=0", "--user-data-dir=" + Path.Combine(workDir, "chromium-profile") }.Concat(args))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start chromium (./test.sh installs it)");
        var err = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium did not finish within 120 s");
        }
        return (p.ExitCode, stdout, err.Result);
    }

    [GeneratedRegex("<pre id=\"nas-check\">(.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex CheckRegex();
}
