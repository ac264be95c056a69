namespace NasActors.Core.Engine;

/// <summary>Retraining tricks that need the space's network to cooperate (nas.retrain); a space declares the ones it has.</summary>
[Flags]
public enum RetrainTricks
{
    None = 0,

    /// <summary>Drop path on each non-identity op output (DARTS's drop_path).</summary>
    DropPath = 1,

    /// <summary>An auxiliary classifier head whose loss is added with a weight (DARTS's AuxiliaryHeadCIFAR).</summary>
    AuxiliaryHead = 2,
}
