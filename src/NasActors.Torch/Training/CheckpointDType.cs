namespace NasActors.Torch.Training;

/// <summary>Element types a checkpoint file can hold; the byte values are part of the file format, never renumber.</summary>
internal enum CheckpointDType : byte
{
    Float32 = 1,
    Float64 = 2,
    Int64 = 3,
    Int32 = 4,
}
