using NasActors.Core;
using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies;
using NasActors.Core.Tests.Experiments;

namespace NasActors.Core.Tests.Strategies;

public class ConstraintsTests
{
    // Table: base (1000, 100); b0 small (10,7) big (50,3); b1 small (20,4) big (60,8) huge (500,80).
    private static readonly CostTable Costs = CostTableTests.Table();
    private static Architecture Arch(string b0, string b1) => new([KeyValuePair.Create("b0", b0), KeyValuePair.Create("b1", b1)]);

    [Fact]
    public void Constraints_None_must_admit_everything_without_a_cost_table()
    {
        Assert.True(Constraints.None.Admits(Arch("anything", "at-all")));
        Constraints.None.CheckSatisfiable(CostTableTests.Space());
    }

    [Fact]
    public void Constraints_without_limits_must_not_consult_the_cost_table()
    {
        // Unknown entries would throw if the table were read.
        Assert.True(new Constraints(Costs, null, null).Admits(Arch("unknown", "unknown")));
        Assert.True(new Constraints(null, 1, 1).Admits(Arch("unknown", "unknown")));
    }

    [Fact]
    public void Constraints_must_admit_up_to_and_including_the_flops_limit()
    {
        var c = new Constraints(Costs, 1070, null); // small+big = 1070, big+big = 1110
        Assert.True(c.Admits(Arch("small", "big")));
        Assert.True(c.Admits(Arch("small", "small")));
        Assert.False(c.Admits(Arch("big", "big")));
        Assert.False(c.Admits(Arch("small", "huge")));
    }

    [Fact]
    public void Constraints_must_admit_up_to_and_including_the_params_limit()
    {
        var c = new Constraints(Costs, null, 111); // big+big = 111, small+big = 115
        Assert.True(c.Admits(Arch("big", "big")));
        Assert.False(c.Admits(Arch("small", "big")));
    }

    [Fact]
    public void Constraints_must_require_both_limits_when_both_are_set()
    {
        var c = new Constraints(Costs, 1070, 111);
        Assert.True(c.Admits(Arch("big", "small")));   // (1070, 107)
        Assert.False(c.Admits(Arch("big", "big")));    // flops 1110
        Assert.False(c.Admits(Arch("small", "big")));  // params 115
    }

    [Fact]
    public void Constraints_CheckSatisfiable_must_accept_a_limit_equal_to_the_minimum()
    {
        new Constraints(Costs, 1030, null).CheckSatisfiable(CostTableTests.Space()); // only (small, small) fits
        new Constraints(Costs, null, 107).CheckSatisfiable(CostTableTests.Space()); // only (big, small) fits
    }

    [Fact]
    public void Constraints_CheckSatisfiable_must_reject_limits_that_no_single_architecture_meets()
    {
        // Each limit alone is met by some architecture, but none meets both: (small, small) has 111 params.
        var e = Assert.Throws<NasUserException>(() => new Constraints(Costs, 1030, 107).CheckSatisfiable(CostTableTests.Space()));
        Assert.Contains("0 of 6", e.Message);
    }

    [Fact]
    public void Constraints_CheckSatisfiable_must_reject_an_unreachable_flops_limit_naming_the_key()
    {
        var e = Assert.Throws<NasUserException>(() => new Constraints(Costs, 1029, null).CheckSatisfiable(CostTableTests.Space()));
        Assert.Contains("nas.search.max-flops = 1029", e.Message);
        Assert.Contains("1030", e.Message);
    }

    [Fact]
    public void Constraints_CheckSatisfiable_must_reject_an_unreachable_params_limit_naming_the_key()
    {
        var e = Assert.Throws<NasUserException>(() => new Constraints(Costs, 100_000, 106).CheckSatisfiable(CostTableTests.Space()));
        Assert.Contains("nas.search.max-params = 106", e.Message);
        Assert.Contains("107", e.Message);
    }
}
