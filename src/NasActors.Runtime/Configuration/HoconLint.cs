using NasActors.Core;

namespace NasActors.Runtime.Configuration;

/// <summary>
/// Catches what Akka's HOCON parser lets through: an unterminated string swallows the rest of the file, and unbalanced
/// braces or brackets at the end are ignored, so a broken file would silently fall back to defaults.
/// </summary>
internal static class HoconLint
{
    public static void Check(string text, string source)
    {
        var stack = new Stack<(char Open, int Line)>();
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n') { line++; continue; }
            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n') i++;
                continue;
            }
            if (c == '"')
            {
                var start = line;
                if (i + 2 < text.Length && text[i + 1] == '"' && text[i + 2] == '"')
                {
                    var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (end < 0) throw new NasUserException($"{source} is not valid HOCON: the \"\"\" string opened on line {start} is never closed");
                    line += text.AsSpan(i, end - i).Count('\n');
                    i = end + 2;
                    continue;
                }
                i++;
                while (i < text.Length && text[i] != '"' && text[i] != '\n')
                    i += text[i] == '\\' ? 2 : 1;
                if (i >= text.Length || text[i] != '"')
                    throw new NasUserException($"{source} is not valid HOCON: the string opened on line {start} is not closed on that line");
                continue;
            }
            if (c is '{' or '[') stack.Push((c, line));
            else if (c is '}' or ']')
            {
                var want = c == '}' ? '{' : '[';
                if (stack.Count == 0 || stack.Peek().Open != want)
                    throw new NasUserException($"{source} is not valid HOCON: '{c}' on line {line} has no matching '{want}'");
                stack.Pop();
            }
        }
        if (stack.Count > 0)
        {
            var (open, at) = stack.Peek();
            throw new NasUserException($"{source} is not valid HOCON: '{open}' opened on line {at} is never closed");
        }
    }
}
