using System.Text;
using NasActors.Core;

namespace NasActors.Runtime.Configuration;

/// <summary>
/// HOCON <c>include</c> for config files, expanded textually before Akka's parser sees the text (Akka resolves includes
/// only through a callback, and only the plain <c>include "x"</c> form). Supported: <c>include "x"</c>,
/// <c>include file("x")</c> and <c>include required(...)</c> of either, at the top level or inside an object, nested to
/// any depth; a relative name is resolved against the directory of the including file. Each include is replaced in place
/// by the included file's content (its optional root braces removed), so later keys override earlier ones exactly as
/// HOCON specifies and the result is one self-contained text: what an experiment stores as its config.conf.
/// </summary>
/// <remarks>
/// Following the HOCON spec, a plain include of a missing file is ignored (reported once through the warning callback);
/// <c>required(...)</c> makes it an error. <c>url(...)</c> and <c>classpath(...)</c> are refused, and so is a
/// substitution in a file included inside an object: HOCON would make its path relative to that object, which a textual
/// expansion cannot reproduce.
/// </remarks>
public static class HoconIncludes
{
    /// <summary>Deeper nesting than this is almost certainly a cycle through differently spelled paths (symbolic links).</summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// Reads the config file <paramref name="path"/> and expands its includes. <paramref name="warn"/> receives one line
    /// per missing file that a plain include names (once per file).
    /// </summary>
    public static string ReadFile(string path, Action<string>? warn = null)
    {
        var full = Path.GetFullPath(path);
        var text = Read(full, $"config file {path}");
        return new Expander(warn).Expand(path, full, text, nested: false, included: false);
    }

    /// <summary>
    /// Expands the includes of <paramref name="text"/>, the content of the file <paramref name="path"/> (which relative
    /// includes are resolved against; the file itself need not exist).
    /// </summary>
    public static string Expand(string text, string path, Action<string>? warn = null) =>
        new Expander(warn).Expand(path, Path.GetFullPath(path), text, nested: false, included: false);

    /// <summary>
    /// Akka's include callback for text whose includes were not expanded (text that did not come from a file): refuses,
    /// where Akka's parser would fail with a NullReferenceException.
    /// </summary>
    internal static Akka.Configuration.Hocon.HoconRoot NotExpanded(string name) =>
        throw new InvalidOperationException($"include \"{name}\" is not resolved here: includes are expanded only in config files (--config, --node-config)");

    private static string Read(string full, string what)
    {
        if (Directory.Exists(full)) throw new NasUserException($"{what} is a directory, not a file");
        try { return File.ReadAllText(full); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw new NasUserException($"{what} not found"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasUserException($"cannot read {what}: {e.Message.ReplaceLineEndings(" ").Trim()}");
        }
    }

    private sealed class Expander(Action<string>? warn)
    {
        private readonly List<string> _stack = [];
        private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

        /// <param name="display">How messages name this file.</param>
        /// <param name="full">Its absolute path: includes are relative to its directory; cycles are found by it.</param>
        /// <param name="nested">Whether this file's content lands inside an object of the final text.</param>
        /// <param name="included">Whether this file is included (its root braces, if any, are dropped).</param>
        public string Expand(string display, string full, string text, bool nested, bool included)
        {
            HoconLint.Check(text, display); // also guarantees closed strings and balanced brackets for the scan below
            _stack.Add(full);
            var edits = new List<(int Start, int End, string With)>();
            var frames = new Stack<bool>(); // true: object, false: array; the root object (braced or not) is not on it
            bool keyStart = true, awaitValue = false, seenToken = false, rootBraced = false;
            var line = 1;
            var n = text.Length;
            var i = 0;
            bool InObject() => frames.Count == 0 || frames.Peek();
            while (i < n)
            {
                var c = text[i];
                if (c == '\n')
                {
                    line++;
                    i++;
                    if (!awaitValue && InObject()) keyStart = true;
                    continue;
                }
                if (char.IsWhiteSpace(c) || c == '\uFEFF') { i++; continue; }
                if (c == '#' || (c == '/' && i + 1 < n && text[i + 1] == '/'))
                {
                    while (i < n && text[i] != '\n') i++;
                    continue;
                }
                var first = !seenToken;
                seenToken = true;
                if (c == '"')
                {
                    var end = SkipString(text, i);
                    line += text.AsSpan(i, end - i).Count('\n');
                    i = end;
                    keyStart = awaitValue = false;
                    continue;
                }
                if (c == '$' && i + 1 < n && text[i + 1] == '{')
                {
                    var start = i;
                    i += 2;
                    while (i < n && text[i] != '}' && text[i] != '\n') i = text[i] == '"' ? SkipString(text, i) : i + 1;
                    if (i < n && text[i] == '}') i++;
                    if (nested)
                        throw new NasUserException($"{display}, line {line}: substitution {text[start..i]} in a file included inside an object is not supported " +
                                                   "(HOCON would make it relative to that object); include the file at the top level, or write the substitution in the including file");
                    keyStart = awaitValue = false;
                    continue;
                }
                switch (c)
                {
                    case '{' when first:
                        // The file's optional root braces; an included file's are dropped, so its keys land where the include stands.
                        rootBraced = true;
                        if (included) edits.Add((i, i + 1, " "));
                        i++;
                        keyStart = true;
                        continue;
                    case '{':
                        frames.Push(true);
                        i++;
                        keyStart = true;
                        awaitValue = false;
                        continue;
                    case '[':
                        frames.Push(false);
                        i++;
                        keyStart = awaitValue = false;
                        continue;
                    case '}' or ']':
                        if (frames.Count > 0) frames.Pop();
                        else if (c == '}' && rootBraced && included) edits.Add((i, i + 1, " "));
                        i++;
                        keyStart = awaitValue = false;
                        continue;
                    case ',':
                        i++;
                        keyStart = InObject();
                        awaitValue = false;
                        continue;
                    case '=' or ':':
                        i++;
                        keyStart = false;
                        awaitValue = true;
                        continue;
                    case '+' when i + 1 < n && text[i + 1] == '=':
                        i += 2;
                        keyStart = false;
                        awaitValue = true;
                        continue;
                }
                var wordStart = i;
                while (i < n && !EndsUnquoted(text, i)) i++;
                if (i == wordStart) i++; // a lone character HOCON forbids in unquoted text: Akka's parser reports it
                if (keyStart && text.AsSpan(wordStart, i - wordStart).SequenceEqual("include"))
                {
                    var (end, with) = Include(display, full, text, wordStart, i, line, nested || frames.Count > 0);
                    edits.Add((wordStart, end, with));
                    i = end;
                }
                keyStart = awaitValue = false;
            }
            _stack.RemoveAt(_stack.Count - 1);

            var sb = new StringBuilder(text.Length);
            var at = 0;
            foreach (var (start, end, with) in edits)
            {
                sb.Append(text, at, start - at).Append(with);
                at = end;
            }
            return sb.Append(text, at, n - at).ToString();
        }

        /// <summary>Parses the include statement at <paramref name="start"/> and returns where it ends and its expansion.</summary>
        private (int End, string With) Include(string display, string full, string text, int start, int afterKeyword, int line, bool nested)
        {
            var p = SkipSpaces(text, afterKeyword);
            var required = false;
            if (At(text, p, "required("))
            {
                required = true;
                p = SkipSpaces(text, p + "required(".Length);
            }
            var fileForm = false;
            if (At(text, p, "file("))
            {
                fileForm = true;
                p = SkipSpaces(text, p + "file(".Length);
            }
            else if (At(text, p, "url(") || At(text, p, "classpath("))
                throw new NasUserException($"{display}, line {line}: include {text[p..text.IndexOf('(', p)]}(...) is not supported; include a file: include \"base.conf\" or include file(\"base.conf\")");
            if (p >= text.Length || text[p] != '"' || (p + 2 < text.Length && text[p + 1] == '"' && text[p + 2] == '"'))
                throw new NasUserException($"{display}, line {line}: include must be followed by a quoted file name: include \"base.conf\", include file(\"base.conf\") or include required(\"base.conf\")");
            var close = SkipString(text, p);
            string name;
            try { name = System.Text.Json.JsonSerializer.Deserialize<string>(text.AsSpan(p, close - p)) ?? ""; }
            catch (System.Text.Json.JsonException)
            {
                throw new NasUserException($"{display}, line {line}: the file name {text[p..close]} of the include is not a valid quoted string");
            }
            p = close;
            foreach (var (open, form) in new[] { (fileForm, "file("), (required, "required(") })
            {
                if (!open) continue;
                p = SkipSpaces(text, p);
                if (p >= text.Length || text[p] != ')')
                    throw new NasUserException($"{display}, line {line}: include {form}... is missing its closing ')'");
                p++;
            }
            if (name.Length == 0) throw new NasUserException($"{display}, line {line}: include names an empty file name");

            var statement = text[start..p];
            var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(full) ?? ".", name));
            if (!File.Exists(target) && !Directory.Exists(target))
            {
                if (required)
                    throw new NasUserException($"{display}, line {line}: included file {target} not found ({statement})");
                if (_warned.Add(target))
                    warn?.Invoke($"{display}, line {line}: included file {target} not found; ignored as HOCON specifies for a plain include (write include required(\"{name}\") to make it an error)");
                return (p, $"\n# {statement}: {target} not found, ignored\n");
            }
            var cycleAt = _stack.IndexOf(target);
            if (cycleAt >= 0)
                throw new NasUserException($"include cycle: {string.Join(" -> ", _stack.Skip(cycleAt).Append(target))} ({display}, line {line})");
            if (_stack.Count >= MaxDepth)
                throw new NasUserException($"{display}, line {line}: includes are nested more than {MaxDepth} deep (a cycle through symbolic links?)");
            var content = Read(target, $"included file {target} ({display}, line {line})");
            var body = Expand(target, target, content, nested, included: true);
            return (p, $"\n# >>> {statement} ({target})\n{body}\n# <<< end of {target}\n");
        }
    }

    /// <summary>The index just past the quoted (or triple-quoted) string that starts at <paramref name="i"/>.</summary>
    private static int SkipString(string text, int i)
    {
        if (At(text, i, "\"\"\""))
        {
            var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
            if (end < 0) return text.Length;
            end += 3;
            while (end < text.Length && text[end] == '"') end++; // HOCON: extra quotes before the closing """ belong to the string
            return end;
        }
        i++;
        while (i < text.Length && text[i] != '"' && text[i] != '\n') i += text[i] == '\\' ? 2 : 1;
        return Math.Min(i + 1, text.Length);
    }

    private static bool EndsUnquoted(string text, int i)
    {
        var c = text[i];
        return char.IsWhiteSpace(c) || c is '$' or '"' or '{' or '}' or '[' or ']' or ':' or '=' or ',' or '+' or '#' or '`' or '^' or '?' or '!' or '@' or '*' or '&' or '\\'
               || (c == '/' && i + 1 < text.Length && text[i + 1] == '/');
    }

    private static int SkipSpaces(string text, int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t') i++;
        return i;
    }

    private static bool At(string text, int i, string s) => i + s.Length <= text.Length && text.AsSpan(i, s.Length).SequenceEqual(s);
}
