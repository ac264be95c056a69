namespace NasActors.Torch.Training;

/// <summary>One named tensor of a checkpoint, held as raw little-endian bytes so files and merges need no libtorch.</summary>
internal sealed record CheckpointTensor(string Name, CheckpointDType DType, long[] Shape, byte[] Data)
{
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);

    public static int ElementSize(CheckpointDType t) => t switch
    {
        CheckpointDType.Float32 or CheckpointDType.Int32 => 4,
        CheckpointDType.Float64 or CheckpointDType.Int64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "unknown checkpoint dtype"),
    };
}
