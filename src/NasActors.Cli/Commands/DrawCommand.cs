using System.Diagnostics;
using NasActors.Core;
using NasActors.Core.SearchSpaces.Darts;

namespace NasActors.Cli;

/// <summary>
/// `nas draw ARCH.json [--out DIR]`: the normal and reduction cells of a DARTS architecture (an NNI dict, or a `nas export`
/// file) as Graphviz DOT, SVG and PNG, drawn like the NNI tutorial's pictures: DIR/STEM-normal.{dot,svg,png} and
/// DIR/STEM-reduce.{dot,svg,png}. Everything is checked and rendered in a temporary folder first, so a bad input or a
/// failing `dot` leaves nothing behind.
/// </summary>
internal static class DrawCommand
{
    private static readonly string[] Formats = ["svg", "png"];

    public static Task<int> Run(CliArgs a)
    {
        if (a.Positional.Length != 1)
            throw new NasUserException("`nas draw` takes one architecture file, e.g. `nas draw arch.json --out cells` (an NNI dict or a `nas export` file)");
        var file = a.Positional[0];
        if (!File.Exists(file))
            throw new NasUserException($"architecture file {file} not found; pass the JSON dict `nas export` or NNI wrote");
        var arch = DartsCellDiagram.Parse(File.ReadAllText(file), file);
        var dir = Path.GetFullPath(a.Option("--out") ?? ".");
        if (File.Exists(dir)) throw new NasUserException($"--out {dir} is a file; pass a directory for the diagrams (nothing was written)");
        var dot = FindDot();

        var stem = Path.GetFileNameWithoutExtension(file);
        var created = !Directory.Exists(dir);
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".nas-draw-{Environment.ProcessId}");
        Directory.CreateDirectory(tmp);
        var done = false;
        try
        {
            var written = new List<string>();
            foreach (var cell in DartsSpace.CellTypes)
            {
                var name = $"{stem}-{cell}";
                File.WriteAllText(Path.Combine(tmp, name + ".dot"), DartsCellDiagram.Dot(arch, cell));
                written.Add(name + ".dot");
                foreach (var format in Formats)
                {
                    Render(dot, format, Path.Combine(tmp, name + ".dot"), Path.Combine(tmp, $"{name}.{format}"));
                    written.Add($"{name}.{format}");
                }
            }
            foreach (var f in written)
            {
                File.Move(Path.Combine(tmp, f), Path.Combine(dir, f), overwrite: true);
                Console.WriteLine(Path.Combine(dir, f));
            }
            done = true;
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
            if (!done && created) Directory.Delete(dir, recursive: true);
        }
        return Task.FromResult(0);
    }

    /// <summary>Graphviz's dot ($NAS_DOT, else on PATH); refused with the install line when it is missing.</summary>
    internal static string FindDot(string command = "draw")
    {
        var dot = Environment.GetEnvironmentVariable("NAS_DOT") is { Length: > 0 } d ? d : "dot";
        try
        {
            var (code, _) = Exec(dot, ["-V"]);
            if (code == 0) return dot;
        }
        catch (System.ComponentModel.Win32Exception) { }
        throw new NasUserException($"Graphviz's `{dot}` was not found; install it (sudo apt-get install graphviz) and run `nas {command}` again (nothing was written)");
    }

    internal static void Render(string dot, string format, string input, string output)
    {
        var (code, stderr) = Exec(dot, ["-T" + format, "-o", output, input]);
        if (code != 0 || !File.Exists(output))
            throw new NasUserException($"`{dot} -T{format}` failed ({stderr.Trim().Split('\n')[0]}); check the Graphviz install (nothing was written)");
    }

    internal static (int Code, string Stderr) Exec(string exe, string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        using var p = Process.Start(psi) ?? throw new NasUserException($"could not start `{exe}`");
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            throw new NasUserException($"`{exe}` did not finish within 60 s (nothing was written)");
        }
        return (p.ExitCode, stderr.Result);
    }
}
