using System.Text.Json;
using NasActors.Core;
using NasActors.Torch.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NasActors.Torch.Models;

/// <summary>
/// A trained model's weights as safetensors (Hugging Face's format, read by PyTorch, JAX and others), through
/// TorchSharp.PyBridge: the tensors of a retrain checkpoint's "model/" entries under their module names, as
/// <c>state_dict()</c> names them.
/// </summary>
internal static class ModelWeights
{
    private const string ModelPrefix = "model/";

    /// <summary>Writes checkpoint <paramref name="hash"/>'s model tensors to <paramref name="path"/>.</summary>
    public static void Write(string checkpointDirectory, string hash, string path)
    {
        var entries = new CheckpointStore(checkpointDirectory).Load(hash).Where(e => e.Name.StartsWith(ModelPrefix, StringComparison.Ordinal)).ToList();
        if (entries.Count == 0) throw new NasUserException($"checkpoint {hash} holds no model weights; it is not a trained model's");
        using var scope = torch.NewDisposeScope();
        var dict = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var t = torch.empty(e.Shape, TensorBytes.ToScalarType(e.DType));
            t.bytes = e.Data;
            dict[e.Name[ModelPrefix.Length..]] = t;
        }
        using var stream = File.Create(path);
        Safetensors.SaveStateDict(stream, dict, leaveOpen: true);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>The tensors of safetensors file <paramref name="path"/> by name; a file that is not one is refused in one line.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new NasUserException($"model weights {path} not found; a saved model is a folder with model.json and model.safetensors");
        try
        {
            return Safetensors.LoadStateDict(path);
        }
        // What TorchSharp.PyBridge throws for a damaged file: JSON or stream errors for a bad header, and
        // NotImplementedException for a dtype it does not know; anything else (libtorch failing to load) is not the file's fault.
        catch (Exception e) when (e is JsonException or ArgumentException or EndOfStreamException or InvalidDataException or NotImplementedException
                                       or FormatException or IOException or OverflowException)
        {
            throw new NasUserException($"{path} is not a safetensors file ({e.GetType().Name}: {e.Message}); write the folder again with `nas resume NAME` on its experiment");
        }
    }
}
