using System.Runtime.InteropServices;
using NasActors.Core;

namespace NasActors.Torch.Training;

/// <summary>
/// Element-wise mean of several checkpoints with the same tensors (weights, BN statistics, momentum buffers).
/// Floats are summed in double in list order and rounded once, so the result is deterministic and the mean of
/// identical checkpoints is bit-identical to them. Integer tensors (BN batch counts, the step) are taken from the first.
/// </summary>
internal static class CheckpointAverage
{
    public static List<CheckpointTensor> Mean(IReadOnlyList<IReadOnlyList<CheckpointTensor>> checkpoints, IReadOnlyList<string> names)
    {
        var first = checkpoints[0];
        for (var c = 1; c < checkpoints.Count; c++)
        {
            var other = checkpoints[c];
            if (other.Count != first.Count)
                throw Mismatch(names[0], names[c], $"{first.Count} vs {other.Count} tensors");
            for (var i = 0; i < first.Count; i++)
                if (other[i].Name != first[i].Name || other[i].DType != first[i].DType || !other[i].Shape.AsSpan().SequenceEqual(first[i].Shape))
                    throw Mismatch(names[0], names[c], $"tensor '{first[i].Name}' differs in name, type or shape");
        }

        var result = new List<CheckpointTensor>(first.Count);
        for (var i = 0; i < first.Count; i++)
        {
            var t = first[i];
            var data = t.DType switch
            {
                CheckpointDType.Float32 => MeanFloat32(checkpoints, i),
                CheckpointDType.Float64 => MeanFloat64(checkpoints, i),
                _ => t.Data,
            };
            result.Add(t with { Data = data });
        }
        return result;
    }

    private static byte[] MeanFloat32(IReadOnlyList<IReadOnlyList<CheckpointTensor>> cks, int i)
    {
        var n = cks[0][i].Data.Length / 4;
        var sum = new double[n];
        foreach (var ck in cks)
        {
            var v = MemoryMarshal.Cast<byte, float>(ck[i].Data);
            for (var j = 0; j < n; j++) sum[j] += v[j];
        }
        var result = new byte[n * 4];
        var r = MemoryMarshal.Cast<byte, float>(result.AsSpan());
        for (var j = 0; j < n; j++) r[j] = (float)(sum[j] / cks.Count);
        return result;
    }

    private static byte[] MeanFloat64(IReadOnlyList<IReadOnlyList<CheckpointTensor>> cks, int i)
    {
        var n = cks[0][i].Data.Length / 8;
        var sum = new double[n];
        foreach (var ck in cks)
        {
            var v = MemoryMarshal.Cast<byte, double>(ck[i].Data);
            for (var j = 0; j < n; j++) sum[j] += v[j];
        }
        var result = new byte[n * 8];
        var r = MemoryMarshal.Cast<byte, double>(result.AsSpan());
        for (var j = 0; j < n; j++) r[j] = sum[j] / cks.Count;
        return result;
    }

    private static NasUserException Mismatch(string a, string b, string detail) =>
        new($"checkpoints {a} and {b} cannot be averaged ({detail}): they come from different supernets; start a new experiment for a changed nas.spaces.* section");
}
