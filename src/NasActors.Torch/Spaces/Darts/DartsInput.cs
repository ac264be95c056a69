using NasActors.Core.SearchSpaces.Darts;

namespace NasActors.Torch.Spaces.Darts;

/// <summary>The example input (batch 1) the DARTS network is shaped for.</summary>
internal static class DartsInput
{
    public static long[] Shape(DartsSpec spec) => [1, spec.InputChannels, spec.Resolution, spec.Resolution];
}
