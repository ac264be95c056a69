using Akka.Configuration;
using Akka.Configuration.Hocon;
using NasActors.Core;
using NasActors.Core.Engine;

namespace NasActors.Runtime.Configuration;

/// <summary>
/// Loads experiment configs: the user's HOCON (file plus --set overrides) over the embedded reference.conf.
/// Rejects malformed HOCON and any key the reference does not define, naming the key and the file.
/// </summary>
public static class NasConfig
{
    private static Config? _reference;

    /// <summary>The defaults of every registered module (rebuilt when a plugin registers more).</summary>
    public static Config Reference => _reference ??= ConfigurationFactory.ParseString(ReferenceText);

    internal static void ReferenceChanged() => _reference = null;

    /// <summary>The embedded reference.conf.</summary>
    public static string BaseReferenceText
    {
        get
        {
            using var s = typeof(NasConfig).Assembly.GetManifestResourceStream("NasActors.Runtime.reference.conf")
                          ?? throw new InvalidOperationException("reference.conf is not embedded");
            using var r = new StreamReader(s);
            return r.ReadToEnd();
        }
    }

    /// <summary>reference.conf plus every registered space's and strategy's own section (nas.spaces.NAME, nas.strategies.NAME).</summary>
    public static string ReferenceText => BaseReferenceText + "\n" + ModuleSections(Catalog.Spaces.Select(m => (m.Name, m.ConfigSection)),
        Catalog.Strategies.Select(m => (m.Name, m.ConfigSection)));

    /// <summary>HOCON of nas.spaces { NAME { ... } } and nas.strategies { NAME { ... } } for the given sections.</summary>
    public static string ModuleSections(IEnumerable<(string Name, string Section)> spaces, IEnumerable<(string Name, string Section)> strategies)
    {
        var sb = new System.Text.StringBuilder();
        void Block(string title, IEnumerable<(string Name, string Section)> items)
        {
            sb.Append("nas.").Append(title).Append(" {\n");
            foreach (var (name, section) in items)
            {
                sb.Append("  ").Append(name).Append(" {\n");
                foreach (var line in section.ReplaceLineEndings("\n").TrimEnd().Split('\n')) sb.Append("    ").Append(line).Append('\n');
                sb.Append("  }\n");
            }
            sb.Append("}\n");
        }
        Block("spaces", spaces);
        Block("strategies", strategies);
        return sb.ToString();
    }

    /// <summary>
    /// The user's text: the file's content followed by one line per override. Each override is checked on its own
    /// first (form, empty value, HOCON syntax, known key), so that its mistakes name the --set option, not the file.
    /// </summary>
    public static string ComposeText(string? fileText, IEnumerable<string> overrides) =>
        (fileText ?? "") + "\n" + string.Join("\n", overrides.Select(o =>
        {
            var line = OverrideLine(o);
            var source = "--set " + o;
            HoconLint.Check(line, source);
            Config one;
            try { one = ConfigurationFactory.ParseString(QuoteDevices(line), HoconIncludes.NotExpanded); }
            catch (Exception e)
            {
                throw new NasUserException($"{source} is not valid HOCON: {e.Message.ReplaceLineEndings(" ").Trim()}; quote a value with special characters, e.g. --set 'nas.data.directory=\"/my data\"'");
            }
            CheckKeys(one.Root, Reference.Root, "", source);
            return line;
        })) + "\n";

    /// <summary>The HOCON line of one --set KEY=VALUE (the nas. prefix is optional).</summary>
    public static string OverrideLine(string o)
    {
        var eq = o.IndexOf('=');
        if (eq <= 0) throw new NasUserException($"--set '{o}' is not key=value; write e.g. --set nas.train.total-steps=200");
        var key = OverrideKey(o);
        var value = o[(eq + 1)..].Trim();
        if (value.Length == 0)
            throw new NasUserException($"--set {o} gives {key} an empty value; give a value, e.g. --set {key}=VALUE (write \"\" for an empty string)");
        return key + " = " + value;
    }

    /// <summary>The full key an override sets (nas. added when missing).</summary>
    public static string OverrideKey(string o)
    {
        var eq = o.IndexOf('=');
        var key = (eq > 0 ? o[..eq] : o).Trim();
        return key.StartsWith("nas.", StringComparison.Ordinal) ? key : "nas." + key;
    }

    /// <summary>
    /// A device list's bare cuda:N entries (devices = [cpu, cuda:0], as written on the command line) quoted, so that
    /// HOCON does not read the ':' as a key separator. Only lists assigned to a `devices` key are touched.
    /// </summary>
    internal static string QuoteDevices(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"(\bdevices\s*[=:]?\s*)\[([^\[\]""\n#]*)\]", m =>
            m.Groups[1].Value + "[" + string.Join(",", m.Groups[2].Value.Split(',').Select(item =>
            {
                var t = item.Trim();
                return System.Text.RegularExpressions.Regex.IsMatch(t, @"^cuda:\d+$") ? item.Replace(t, "\"" + t + "\"") : item;
            })) + "]");

    /// <summary>Whether the user's <paramref name="text"/> itself (not the defaults) sets <paramref name="key"/>.</summary>
    public static bool Sets(string text, string key) =>
        ConfigurationFactory.ParseString(QuoteDevices(text), HoconIncludes.NotExpanded).HasPath(key);

    /// <summary>Parses <paramref name="text"/>, checks its keys, and returns it over the reference defaults.</summary>
    public static Config Parse(string text, string source)
    {
        Config user;
        HoconLint.Check(text, source);
        try
        {
            user = ConfigurationFactory.ParseString(QuoteDevices(text), HoconIncludes.NotExpanded);
        }
        catch (Exception e)
        {
            var msg = e.Message.ReplaceLineEndings(" ").Trim();
            throw new NasUserException($"{source} is not valid HOCON: {msg}");
        }
        // Plugins first: their spaces and strategies bring the sections the rest of the file may set.
        Plugins.Load(user, source);
        CheckKeys(user.Root, Reference.Root, "", source);
        var merged = user.WithFallback(Reference);
        CheckSelected(user, merged, "spaces", "nas.space", source);
        CheckSelected(user, merged, "strategies", "nas.strategy", source);
        return merged;
    }

    public static Config Load(string path, IEnumerable<string> overrides)
    {
        if (!File.Exists(path))
            throw new NasUserException($"config file {path} not found; pass an existing file with --config (see hocon/)");
        return Parse(ComposeText(HoconIncludes.ReadFile(path), overrides), path);
    }

    /// <summary>One section of <paramref name="config"/> as typed reads (what space and strategy modules read their settings from).</summary>
    public static Core.Engine.ISettingsSource Section(Config config, string path, string source) => new ConfigReader(config, source, path);

    /// <summary>A section for a space or strategy that is not selected is a mistake (it would be silently ignored).</summary>
    private static void CheckSelected(Config user, Config merged, string group, string selector, string source)
    {
        var selected = merged.GetString(selector);
        if (!user.HasPath("nas." + group)) return;
        var set = user.GetValue("nas." + group);
        if (set is null || !set.IsObject()) return;
        foreach (var name in set.GetObject().Items.Keys)
            if (name != selected)
                throw new NasUserException($"nas.{group}.{name} in {source} configures a {(group == "spaces" ? "space" : "strategy")} that is not selected ({selector} = {selected}); remove the section or set {selector} = {name}");
    }

    /// <summary>Keys of earlier versions: refused with their new name rather than as unknown.</summary>
    private static readonly (string Old, string Message)[] Renamed =
    [
        ("nas.experiment.strategy", "was split in two: set nas.strategy = spos-evolution | random | regularized-evolution | enas-rl (spos is now spos-evolution, enas is enas-rl) and nas.space = spos-shufflenet | enas-micro"),
        ("nas.supernet", "moved: the SPOS supernet's keys are now under nas.spaces.spos-shufflenet"),
        ("nas.enas.channels", "moved to nas.spaces.enas-micro.channels"),
        ("nas.enas.nodes", "moved to nas.spaces.enas-micro.nodes"),
        ("nas.enas.cells-per-stage", "moved to nas.spaces.enas-micro.cells-per-stage"),
        ("nas.enas.stages", "moved to nas.spaces.enas-micro.stages"),
        ("nas.enas.ops", "moved to nas.spaces.enas-micro.ops"),
        ("nas.enas", "moved: the ENAS controller's keys are now under nas.strategies.enas-rl, the cell space's under nas.spaces.enas-micro"),
        ("nas.search.population-size", "moved to nas.strategies.spos-evolution.population-size (or nas.strategies.random.population-size)"),
        ("nas.search.generations", "moved to nas.strategies.spos-evolution.generations (or nas.strategies.random.generations)"),
        ("nas.search.top-k", "moved to nas.strategies.spos-evolution.top-k (or nas.strategies.random.top-k)"),
        ("nas.search.mutation-count", "moved to nas.strategies.spos-evolution.mutation-count"),
        ("nas.search.mutation-probability", "moved to nas.strategies.spos-evolution.mutation-probability"),
        ("nas.search.crossover-count", "moved to nas.strategies.spos-evolution.crossover-count"),
        ("nas.retrain.steps", "was replaced by epoch-based retraining: set nas.retrain.epochs (0 = off; see docs/CONFIG.md)"),
        ("nas.runtime.snapshot-every", "is no longer used (an experiment's journal replays in well under a second); remove it"),
    ];

    private static void CheckKeys(HoconValue? user, HoconValue? reference, string prefix, string source)
    {
        if (user is null || !user.IsObject()) return;
        var refObj = reference is not null && reference.IsObject() ? reference.GetObject() : null;
        foreach (var (key, value) in user.GetObject().Items)
        {
            var path = prefix.Length == 0 ? key : prefix + "." + key;
            if (refObj is null || !refObj.Items.TryGetValue(key, out var refValue))
            {
                // The most specific rename first: `nas.enas { channels = 8 }` names nas.enas.channels's new home.
                if (value.IsObject())
                    foreach (var sub in value.GetObject().Items.Keys)
                        foreach (var (old, message) in Renamed)
                            if (path + "." + sub == old) throw new NasUserException($"{old} in {source} {message}");
                foreach (var (old, message) in Renamed)
                    if (path == old) throw new NasUserException($"{path} in {source} {message}");
                var known = refObj is null ? "" : $"; known keys{(prefix.Length == 0 ? "" : " under " + prefix)}: {string.Join(", ", refObj.Items.Keys)}";
                throw new NasUserException($"unknown key {path} in {source}{known}");
            }
            // Free-form: keys of the selected space's section, checked against it when settings are read.
            if (path == "nas.retrain.space") continue;
            if (refValue.IsObject())
            {
                if (!value.IsObject()) throw new NasUserException($"{path} in {source} must be an object {{ ... }}");
                CheckKeys(value, refValue, path, source);
            }
        }
    }
}
