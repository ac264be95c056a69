namespace NasActors.Cli.Tests.Observability;

/// <summary>Mistakes with the observability commands: one line, exit 2, nothing written.</summary>
public sealed class ObservabilityBadInputTests
{
    private static readonly TimeSpan T = TimeSpan.FromMinutes(1);

    [Theory]
    [InlineData("needs an experiment name", "report")]
    [InlineData("no-such", "report", "no-such")]
    [InlineData("`nas report` has no option --top", "report", "x", "--top", "3")]
    [InlineData("no-such", "status", "no-such", "--lineage")]
    [InlineData("`nas resume` has no option --lineage", "resume", "x", "--lineage")]
    public void Observability_commands_must_reject_bad_input_in_one_line(string mustMention, params string[] args)
    {
        using var tmp = new TempStore();
        var store = Path.Combine(tmp.Path, "store");
        BadInputTests.AssertUserError(CliProcess.Run(T, [.. args, "--store", store]), mustMention);
        Assert.False(Directory.Exists(store));
        Assert.Empty(Directory.GetFiles(CliProcess.RepoRoot, "*.html"));
    }
}
