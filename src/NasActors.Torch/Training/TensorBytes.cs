using NasActors.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>Copies tensors to and from <see cref="CheckpointTensor"/> (raw little-endian bytes), on any device.</summary>
internal static class TensorBytes
{
    public static CheckpointTensor ToEntry(string name, Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        var host = t.detach().cpu().contiguous();
        return new CheckpointTensor(name, ToDType(t.dtype), host.shape, host.bytes.ToArray());
    }

    /// <summary>Overwrites <paramref name="target"/> in place (under no_grad) with the entry's values.</summary>
    public static void CopyInto(CheckpointTensor entry, Tensor target, string checkpoint)
    {
        if (ToDType(target.dtype) != entry.DType || !entry.Shape.AsSpan().SequenceEqual(target.shape))
            throw new NasUserException(
                $"checkpoint {checkpoint} does not fit this supernet (tensor '{entry.Name}' is {entry.DType} [{string.Join(",", entry.Shape)}], " +
                $"the model has {target.dtype} [{string.Join(",", target.shape)}]): it was made with another supernet config (nas.spaces.*); use that config or start a new experiment");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var host = torch.empty(entry.Shape, ToScalarType(entry.DType));
        host.bytes = entry.Data;
        target.copy_(host);
    }

    public static CheckpointDType ToDType(ScalarType t) => t switch
    {
        ScalarType.Float32 => CheckpointDType.Float32,
        ScalarType.Float64 => CheckpointDType.Float64,
        ScalarType.Int64 => CheckpointDType.Int64,
        ScalarType.Int32 => CheckpointDType.Int32,
        _ => throw new NotSupportedException($"tensors of type {t} cannot be checkpointed"),
    };

    public static ScalarType ToScalarType(CheckpointDType t) => t switch
    {
        CheckpointDType.Float32 => ScalarType.Float32,
        CheckpointDType.Float64 => ScalarType.Float64,
        CheckpointDType.Int64 => ScalarType.Int64,
        CheckpointDType.Int32 => ScalarType.Int32,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "unknown checkpoint dtype"),
    };
}
