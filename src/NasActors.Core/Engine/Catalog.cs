using System.Collections.Immutable;
using NasActors.Core.SearchSpaces;
using NasActors.Core.SearchSpaces.Darts;

using NasActors.Core.Strategies.Darts;
using NasActors.Core.Strategies.Enas;
using NasActors.Core.Strategies.RegularizedEvolution;
using NasActors.Core.Strategies.Random;
using NasActors.Core.Strategies.Spos;
using NasActors.Core.Strategies.Train;

namespace NasActors.Core.Engine;

/// <summary>
/// Every registered space, strategy and dataset: the registration a new one adds itself to (one line), and what
/// `nas registry`, config loading and `nas gen-config` read. Any pair whose modules do not refuse each other runs.
/// </summary>
public static class Catalog
{
    public static ImmutableArray<SpaceModule> Spaces { get; private set; } = [new SposShuffleNetModule(), new EnasMicroModule(), new DartsModule()];

    public static ImmutableArray<StrategyModule> Strategies { get; private set; } =
        [new RandomModule(), new SposEvolutionModule(), new EnasModule(), new RegularizedEvolutionModule(), new DartsStrategyModule(), new TrainModule()];

    public static ImmutableArray<DatasetModule> Datasets { get; } =
        [new("fashion-mnist", "Fashion-MNIST: 60k training (split into train and validation) and 10k test 28x28 grayscale images, 10 classes (Debian package dataset-fashion-mnist)"),
         new("cifar10", "CIFAR-10, binary version (data_batch_1..5.bin, test_batch.bin) from nas.data.directory: 50k training and 10k test 32x32 colour images, 10 classes (no download)", CropsAndFlips: true)];

    /// <summary>The registered dataset <paramref name="name"/>; an unknown name is an error naming the known ones.</summary>
    public static DatasetModule Dataset(string name) => Datasets.FirstOrDefault(d => d.Name == name)
        ?? throw new NasUserException($"nas.data.dataset = '{name}' is not a known dataset; use one of: {string.Join(", ", Datasets.Select(d => d.Name))}");

    public static SpaceModule Space(string name) => Spaces.FirstOrDefault(s => s.Name == name)
        ?? throw new NasUserException($"nas.space = '{name}' is not a registered space; use one of: {string.Join(", ", Spaces.Select(s => s.Name))} (`nas registry` lists them)");

    public static StrategyModule Strategy(string name) => Strategies.FirstOrDefault(s => s.Name == name)
        ?? throw new NasUserException($"nas.strategy = '{name}' is not a registered strategy; use one of: {string.Join(", ", Strategies.Select(s => s.Name))} (`nas registry` lists them)");

    /// <summary>Adds a plugin's modules; a name already taken is an error.</summary>
    public static void Register(IEnumerable<SpaceModule> spaces, IEnumerable<StrategyModule> strategies)
    {
        // All or nothing: a plugin whose last name clashes leaves nothing of it registered.
        var newSpaces = spaces.ToList();
        var newStrategies = strategies.ToList();
        foreach (var dup in newSpaces.Select(s => s.Name).Concat(Spaces.Select(s => s.Name)).GroupBy(n => n).Where(g => g.Count() > 1))
            throw new NasUserException($"space '{dup.Key}' is registered twice");
        foreach (var dup in newStrategies.Select(s => s.Name).Concat(Strategies.Select(s => s.Name)).GroupBy(n => n).Where(g => g.Count() > 1))
            throw new NasUserException($"strategy '{dup.Key}' is registered twice");
        Spaces = Spaces.AddRange(newSpaces);
        Strategies = Strategies.AddRange(newStrategies);
    }
}
