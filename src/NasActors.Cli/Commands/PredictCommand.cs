using System.Globalization;
using NasActors.Cli.Models;
using NasActors.Core;
using TorchSharp;

namespace NasActors.Cli;

/// <summary>
/// `nas predict MODEL IMAGES [--top K]`: the K most probable classes of each image of an IDX file or a folder of image
/// files, one line per image.
/// </summary>
internal static class PredictCommand
{
    private const int BatchSize = 256;

    public static Task<int> Run(CliArgs a)
    {
        if (a.Positional.Length != 2)
            throw new NasUserException("`nas predict` needs a saved model and images: `nas predict experiments/NAME/model IMAGES.idx[.gz]|DIR [--top 3]`");
        var top = a.Count("--top");
        using var model = SavedModel.Load(a.Positional[0]);
        top = Math.Min(top, model.Classes.Length);
        var (pixels, names) = ImageFiles.Read(a.Positional[1], model.Input);
        using var disposePixels = pixels;
        var inv = CultureInfo.InvariantCulture;
        var nameWidth = Math.Min(40, names.Max(n => n.Length));
        for (var start = 0; start < names.Length; start += BatchSize)
        {
            using var scope = torch.NewDisposeScope();
            var batch = pixels.narrow(0, start, Math.Min(BatchSize, names.Length - start));
            var predictions = model.Predict(batch, top);
            for (var i = 0; i < predictions.Length; i++)
                Console.WriteLine(names[start + i].PadRight(nameWidth) + "  " +
                                  string.Join("  ", predictions[i].Select(p => string.Create(inv, $"{p.Name} {p.Probability:P1}"))));
        }
        return Task.FromResult(0);
    }
}
