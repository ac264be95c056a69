namespace NasActors.Core.SearchSpaces.Darts;

/// <summary>
/// Shape of the DARTS cell network (NNI's <c>DARTS(width, num_cells, dataset)</c>): <paramref name="Channels"/> is the
/// first cells' width C (the stem has 3·C, each reduction doubles it), <paramref name="Cells"/> the number of cells in
/// all (reduction cells at Cells/3 and 2·Cells/3, as in the official code), <paramref name="Dataset"/> the input the
/// network is shaped for: "fashion-mnist" (1x28x28) or "cifar10" (3x32x32).
/// </summary>
public sealed record DartsSpec(int Channels, int Cells, string Dataset)
{
    public const string FashionMnist = "fashion-mnist";
    public const string Cifar10 = "cifar10";

    /// <summary>The search network of the DARTS paper and NNI's tutorial: 16 channels, 8 cells.</summary>
    public static DartsSpec Default => new(16, 8, FashionMnist);

    public int InputChannels => Dataset == Cifar10 ? 3 : 1;
    public int Resolution => Dataset == Cifar10 ? 32 : 28;

    public void Validate()
    {
        // Odd widths cannot be halved by FactorizedReduce (two stride-2 convs of C/2 each).
        if (Channels < 2 || Channels > 512 || Channels % 2 != 0)
            throw new NasUserException($"nas.spaces.darts.channels = {Channels} must be even and between 2 and 512 (DARTS: 16 to search, 36 to retrain)");
        // Fewer than 3 cells leave no normal cell before the first reduction, so the normal cell would never be used.
        if (Cells < 3 || Cells > 64)
            throw new NasUserException($"nas.spaces.darts.cells = {Cells} must be between 3 and 64 (DARTS: 8 to search, 20 to retrain)");
        if (Dataset != FashionMnist && Dataset != Cifar10)
            throw new NasUserException($"nas.spaces.darts.dataset = '{Dataset}' is not known; use {FashionMnist} (1x28x28) or {Cifar10} (3x32x32)");
    }
}
