using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Experiments;

/// <summary>
/// The FLOPs and parameters of any architecture of one space. Built by the Torch layer from the real modules; the
/// strategies only read it (FLOPs / parameter limits). <see cref="CostTable"/> is the additive, cheap kind;
/// spaces whose costs interact (a value choice that widens every later layer) measure each architecture instead.
/// </summary>
public interface ICostModel
{
    ArchitectureCost Cost(Architecture arch);

    /// <summary>Cheapest possible architecture: used to reject a limit no architecture can meet.</summary>
    ArchitectureCost Minimum(SearchSpace space);

    /// <summary>True when <see cref="Cost"/> is a lookup (hundreds of thousands of calls are fine); false when each new architecture is measured.</summary>
    bool Cheap { get; }
}
