using System.Collections.Immutable;

namespace NasActors.Core.SearchSpaces;

/// <summary>
/// Shape of the ENAS micro (cell) space for 28x28 grayscale images: a 3x3 stem, then <paramref name="Stages"/> stages of
/// <paramref name="CellsPerStage"/> normal cells, with a reduction cell (half the resolution, twice the width) between
/// stages. Every cell has <paramref name="Nodes"/> nodes; node i picks two inputs among the two cell inputs and the
/// earlier nodes and one op per input from <paramref name="Ops"/>. All normal cells share one architecture, all
/// reduction cells another (as in ENAS); weights are per cell.
/// </summary>
public sealed record EnasMicroSpec(int Channels, int Nodes, int CellsPerStage, int Stages, ImmutableArray<string> Ops)
{
    /// <summary>The ENAS paper's five micro ops.</summary>
    public static readonly ImmutableArray<string> PaperOps = ["sep_conv_3x3", "sep_conv_5x5", "avg_pool_3x3", "max_pool_3x3", "identity"];

    public void Validate()
    {
        if (Ops.IsDefaultOrEmpty)
            throw new NasUserException("nas.spaces.enas-micro.ops is empty; list at least one of " + string.Join(", ", PaperOps));
        foreach (var op in Ops.GroupBy(o => o).Where(g => g.Count() > 1))
            throw new NasUserException($"nas.spaces.enas-micro.ops lists '{op.Key}' twice; list each op once");
        foreach (var op in Ops)
            if (!PaperOps.Contains(op))
                throw new NasUserException($"nas.spaces.enas-micro.ops has unknown op '{op}'; known: {string.Join(", ", PaperOps)}");
        if (Channels < 2 || Channels > 1024)
            throw new NasUserException($"nas.spaces.enas-micro.channels = {Channels} must be between 2 and 1024");
        if (Nodes < 1 || Nodes > 12)
            throw new NasUserException($"nas.spaces.enas-micro.nodes = {Nodes} must be between 1 and 12");
        if (CellsPerStage < 1)
            throw new NasUserException($"nas.spaces.enas-micro.cells-per-stage = {CellsPerStage} must be at least 1");
        if (Stages < 1 || Stages > 4)
            throw new NasUserException($"nas.spaces.enas-micro.stages = {Stages} must be between 1 and 4 (each reduction halves the 28x28 resolution)");
    }
}
