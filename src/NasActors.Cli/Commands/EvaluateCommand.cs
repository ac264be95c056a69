using System.Globalization;
using NasActors.Cli.Models;
using NasActors.Core;
using NasActors.Torch.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Cli;

/// <summary>
/// `nas evaluate MODEL [--data test|validation]`: a saved model's accuracy and confusion matrix on a split of the dataset
/// it was trained on (the experiment's nas.data settings: the same validation split, the same test file).
/// </summary>
internal static class EvaluateCommand
{
    private const int BatchSize = 500;

    public static Task<int> Run(CliArgs a)
    {
        if (a.Positional.Length != 1)
            throw new NasUserException("`nas evaluate` needs a saved model: `nas evaluate experiments/NAME/model [--data test|validation]`");
        var splitName = a.Defaulted("--data");
        var (model, settings, source) = SavedModel.Open(a.Positional[0]);
        using var disposeModel = model;
        using var data = Datasets.Load(settings.Data);
        var set = splitName == "test" ? data.Test : data.Validation;
        if (set.Count == 0) throw new NasUserException($"the {splitName} split of {settings.Data.Dataset} is empty (nas.data.validation-size = 0?); use --data test");

        var classes = model.Classes.Length;
        var confusion = new long[classes, classes];
        for (var start = 0; start < set.Count; start += BatchSize)
        {
            using var scope = torch.NewDisposeScope();
            var (x, y) = set.Range(start, Math.Min(BatchSize, set.Count - start));
            var predicted = model.Logits(x).argmax(1).data<long>().ToArray();
            var truth = y.data<long>().ToArray();
            for (var i = 0; i < truth.Length; i++) confusion[truth[i], predicted[i]]++;
        }
        Print(model.Classes, confusion, set.Count, splitName, settings.Data.Dataset, source);
        return Task.FromResult(0);
    }

    private static void Print(IReadOnlyList<string> classes, long[,] confusion, int count, string split, string dataset, string source)
    {
        var inv = CultureInfo.InvariantCulture;
        var correct = Enumerable.Range(0, classes.Count).Sum(i => confusion[i, i]);
        Console.WriteLine(string.Create(inv, $"{source}: accuracy {(double)correct / count:P2} on the {split} split of {dataset} ({correct:N0} of {count:N0} images)"));
        Console.WriteLine("confusion matrix (rows: true class, columns: predicted; recall per row):");
        var width = Math.Max(5, confusion.Cast<long>().Max().ToString(inv).Length + 1);
        Console.WriteLine(new string(' ', 14) + string.Concat(Enumerable.Range(0, classes.Count).Select(j => j.ToString(inv).PadLeft(width))) + "   recall");
        for (var i = 0; i < classes.Count; i++)
        {
            var row = Enumerable.Range(0, classes.Count).Sum(j => confusion[i, j]);
            var label = $"{i} {classes[i]}";
            Console.WriteLine((label.Length > 13 ? label[..13] : label).PadRight(14)
                              + string.Concat(Enumerable.Range(0, classes.Count).Select(j => confusion[i, j].ToString(inv).PadLeft(width)))
                              + string.Create(inv, $"   {(row == 0 ? 0 : (double)confusion[i, i] / row),7:P1}"));
        }
    }
}
