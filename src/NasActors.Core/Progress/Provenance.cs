using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using NasActors.Core.Experiments;

namespace NasActors.Core.Progress;

/// <summary>
/// How a rollout was made, read from its journaled origin ("gen 3 mutation of r12", "gen 2 crossover of r4 x r9",
/// "gen 0 random", "policy step 40", "derive from policy step 60"): every journal since store format 2 carries it in each
/// proposal event, so lineage needs no new event and old journals show it too.
/// </summary>
/// <param name="Operator">"mutation", "crossover", "random", "policy sample", "policy derive", or the origin itself.</param>
public sealed partial record Provenance(string Operator, ImmutableArray<RolloutId> Parents)
{
    public static Provenance Of(Rollout r)
    {
        var o = r.Origin;
        var parents = Ids().Matches(o).Select(m => new RolloutId(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))).ToImmutableArray();
        var gen = Generation().Match(o);
        var op = gen.Success ? gen.Groups[1].Value // "mutation", "crossover", "random" (whatever follows, e.g. "(no new mutation)")
            : o.StartsWith("derive", StringComparison.Ordinal) ? "policy derive"
            : o.StartsWith("policy", StringComparison.Ordinal) ? "policy sample"
            : o;
        return new Provenance(op, op is "mutation" or "crossover" ? parents : []);
    }

    [GeneratedRegex(@"^gen \d+ (\w+)")]
    private static partial Regex Generation();

    [GeneratedRegex(@"\br(\d+)\b")]
    private static partial Regex Ids();
}
