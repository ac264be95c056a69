using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.SearchSpaces;
using NasActors.Runtime.Configuration;
using NasActors.Runtime.Hosting;
using NasActors.Torch.Models;

namespace NasActors.Cli.Models;

/// <summary>
/// A trained model on disk: a folder with <c>model.safetensors</c> (the weights, readable outside .NET) and
/// <c>model.json</c> (the architecture as an NNI dict, the space, the input and classes, the test figures and the
/// experiment's config, which rebuilds the network). Every retrained experiment writes one to STORE/NAME/model.
/// <code>
/// using var model = SavedModel.Load("experiments/my-search/model");
/// var top3 = model.Predict(pixels, top: 3);   // pixels: float [N, 1, 28, 28] in [0, 1]
/// </code>
/// </summary>
public static class SavedModel
{
    public const string Folder = "model";
    public const string MetadataFile = "model.json";
    public const string WeightsFile = "model.safetensors";
    public const string Format = "nasactors-model/1";

    // The folder is derived from the experiment's journal and checkpoints: resuming the finished experiment rewrites it.
    private const string Rewrite = "write it again with `nas resume NAME` on the experiment that trained it";

    /// <summary>
    /// Loads the model in folder <paramref name="path"/> (or its model.json) for inference. A path that is not a saved
    /// model, damaged weights or weights of another network throw <see cref="NasUserException"/> saying which.
    /// </summary>
    public static NasModel Load(string path) => Open(path).Model;

    /// <summary>The model and the settings it was trained with (for `nas evaluate`'s data).</summary>
    internal static (NasModel Model, NasSettings Settings, string Source) Open(string path)
    {
        var json = Directory.Exists(path) ? Path.Combine(path, MetadataFile) : path;
        if (!File.Exists(json))
            throw new NasUserException($"{path} is not a saved model (no {MetadataFile}); pass the model folder a retrained experiment wrote, e.g. experiments/NAME/{Folder}");
        var dir = Path.GetDirectoryName(Path.GetFullPath(json))!;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(json)); }
        catch (JsonException e) { throw new NasUserException($"{json} is not a model description ({e.Message}); {Rewrite}"); }
        using (doc)
        {
            var root = doc.RootElement;
            string Str(string key) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()! : throw new NasUserException($"{json} is not a model description ('{key}' is missing); pass a model folder `nas` wrote");
            if (Str("format") != Format)
                throw new NasUserException($"{json} is a model of format '{Str("format")}', this version reads {Format}");
            var weightsPath = Path.Combine(dir, WeightsFile);
            if (!File.Exists(weightsPath)) throw new NasUserException($"{weightsPath} is missing: the model folder is incomplete; copy it whole, or {Rewrite}");
            var sha = root.TryGetProperty("weights", out var w) && w.ValueKind == JsonValueKind.Object && w.TryGetProperty("sha256", out var h) ? h.GetString() : null;
            if (sha is null) throw new NasUserException($"{json} is not a model description ('weights.sha256' is missing); {Rewrite}");
            if (Sha256(weightsPath) != sha)
                throw new NasUserException($"{weightsPath} is corrupt (its SHA-256 differs from {MetadataFile}'s); restore the model folder from a backup, or {Rewrite}");

            var settings = NasSettings.Create(NasConfig.Parse(Str("config"), json + " (config)"), json + " (config)");
            var module = settings.SpaceModule;
            var space = module.CreateSpace(settings.RetrainSpec);
            Architecture arch;
            if (!root.TryGetProperty("architecture", out var archJson) || archJson.ValueKind != JsonValueKind.Object)
                throw new NasUserException($"{json} is not a model description ('architecture' is missing); {Rewrite}");
            try { arch = NniArchitectureJson.Parse(archJson, space); }
            catch (NasUserException e) { throw new NasUserException($"{json}: the architecture is not one of space {space.Name}: {e.Message}"); }
            var weights = ModelWeights.Read(weightsPath);
            try
            {
                var model = NasModel.Create(module, settings.RetrainSpec, settings.Retrain.AuxiliaryWeight > 0, arch, weights,
                    ModelInput.For(settings.Data.Dataset), weightsPath);
                return (model, settings, json);
            }
            finally
            {
                foreach (var t in weights.Values) t.Dispose();
            }
        }
    }

    /// <summary>
    /// Writes experiment <paramref name="name"/>'s retrained model to STORE/NAME/model (once: a folder holding these
    /// weights already is kept); a new folder is built aside and renamed into place, so a kill leaves no half model.
    /// Returns the folder.
    /// </summary>
    internal static string Save(ExperimentStore store, string name, NasSettings settings, SearchSpace space, Architecture arch, RetrainResult rt)
    {
        var dir = Path.Combine(store.DirectoryOf(name), Folder);
        if (IsSaved(dir, rt.Weights)) return dir;
        var temp = dir + ".tmp";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        try
        {
            Write(store, name, settings, space, arch, rt, temp);
        }
        catch
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { } // nothing half-written stays
            throw;
        }
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.Move(temp, dir);
        return dir;
    }

    private static void Write(ExperimentStore store, string name, NasSettings settings, SearchSpace space, Architecture arch, RetrainResult rt, string temp)
    {
        var weightsPath = Path.Combine(temp, WeightsFile);
        ModelWeights.Write(store.CheckpointDirectory(name), rt.Weights, weightsPath);
        var input = ModelInput.For(settings.Data.Dataset);
        using (var ms = new MemoryStream())
        {
            using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("format", Format);
                w.WriteString("experiment", name);
                w.WriteString("space", space.Name);
                w.WritePropertyName("architecture");
                NniArchitectureJson.Write(w, arch, space);
                w.WriteNumber("epochs", rt.Epochs);
                w.WriteNumber("test_accuracy", rt.Metrics.Accuracy);
                w.WriteNumber("test_loss", rt.Metrics.Loss);
                w.WriteNumber("params", rt.Metrics.Params);
                w.WriteNumber("flops", rt.Metrics.Flops);
                w.WriteStartObject("input");
                w.WriteString("dataset", input.Dataset);
                w.WriteNumber("channels", input.Channels);
                w.WriteNumber("height", input.Height);
                w.WriteNumber("width", input.Width);
                w.WriteStartArray("mean");
                foreach (var m in input.Mean) w.WriteNumberValue(m);
                w.WriteEndArray();
                w.WriteStartArray("std");
                foreach (var s in input.Std) w.WriteNumberValue(s);
                w.WriteEndArray();
                w.WriteString("pixels", "x / 255, then (x - mean) / std per channel");
                w.WriteEndObject();
                w.WriteStartArray("classes");
                foreach (var c in input.Classes) w.WriteStringValue(c);
                w.WriteEndArray();
                w.WriteStartObject("weights");
                w.WriteString("file", WeightsFile);
                w.WriteString("sha256", Sha256(weightsPath));
                w.WriteString("checkpoint", rt.Weights);
                w.WriteEndObject();
                w.WriteString("config", store.ReadConfig(name));
                w.WriteEndObject();
            }
            File.WriteAllText(Path.Combine(temp, MetadataFile), Encoding.UTF8.GetString(ms.ToArray()) + "\n");
        }
    }

    private static bool IsSaved(string dir, string checkpoint)
    {
        var json = Path.Combine(dir, MetadataFile);
        if (!File.Exists(json) || !File.Exists(Path.Combine(dir, WeightsFile))) return false;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            return doc.RootElement.GetProperty("weights").GetProperty("checkpoint").GetString() == checkpoint;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }
}
