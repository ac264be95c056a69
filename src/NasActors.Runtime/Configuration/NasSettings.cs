using System.Collections.Immutable;
using NasActors.Core;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies;
using NasActors.Core.Training;

namespace NasActors.Runtime.Configuration;

/// <summary>Every nas.* setting, typed and validated once (see reference.conf for meanings and defaults).</summary>
public sealed record NasSettings(
    string Strategy,
    long Seed,
    DataSpec Data,
    SupernetSpec Supernet,
    TrainSpec Train,
    SposEvolutionSettings Evolution,
    long MaxFlops,
    long MaxParams,
    ImmutableArray<string> Devices,
    int IntraOpThreads,
    TimeSpan LeaseTimeout,
    int SnapshotEvery,
    int ExportTopK,
    EnasSettings Enas,
    bool KeepAllCheckpoints = false,
    long RetrainSteps = 0,
    bool Synthetic = false,
    TimeSpan SyntheticCost = default)
{
    public bool IsEnas => Strategy == "enas";

    /// <summary>Builds and validates settings; throws <see cref="NasUserException"/> naming the key and <paramref name="source"/>.</summary>
    public static NasSettings Create(Akka.Configuration.Config config, string source)
    {
        var r = new ConfigReader(config, source);
        var strategy = r.String("nas.experiment.strategy");
        if (strategy is not ("spos" or "random" or "enas"))
            throw new NasUserException($"nas.experiment.strategy = '{strategy}' in {source} is not supported; use spos, random or enas");
        var seed = r.Long("nas.experiment.seed");
        var data = new DataSpec(r.String("nas.data.directory"), r.Int("nas.data.validation-size", 1, 59_000), r.Int("nas.data.train-limit", 0, 60_000));
        var supernet = new SupernetSpec(r.Int("nas.supernet.stem-channels", 2, 1024), r.IntList("nas.supernet.stage-channels"),
            r.IntList("nas.supernet.stage-depths"), r.StringList("nas.supernet.candidates"));
        var train = new TrainSpec(
            r.Int("nas.train.batch-size", 1, 65_536),
            r.Double("nas.train.learning-rate", 0, 100),
            r.Double("nas.train.momentum", 0, 0.9999),
            r.Double("nas.train.weight-decay", 0, 1),
            r.Long("nas.train.total-steps", 1, 100_000_000),
            r.Int("nas.train.steps-per-round", 1, 1_000_000),
            r.Int("nas.train.bn-recalibration-batches", 0, 100_000),
            r.Int("nas.train.validation-images", 1, 59_000),
            r.Int("nas.train.eval-batch-size", 1, 65_536),
            seed);
        var evo = new SposEvolutionSettings(
            r.Int("nas.search.population-size", 1, 100_000),
            r.Int("nas.search.generations", 1, 100_000),
            r.Int("nas.search.top-k", 1, 100_000),
            r.Int("nas.search.mutation-count", 0, 100_000),
            r.Double("nas.search.mutation-probability", 0, 1),
            r.Int("nas.search.crossover-count", 0, 100_000),
            seed);
        var devices = r.StringList("nas.trainers.devices");
        if (devices.IsEmpty) throw new NasUserException($"nas.trainers.devices in {source} is empty; list at least one device, e.g. [cpu]");
        foreach (var d in devices)
            if (!IsDevice(d))
                throw new NasUserException($"nas.trainers.devices in {source} has '{d}'; use cpu or cuda:N");
        var enas = new EnasSettings(
            new EnasMicroSpec(r.Int("nas.enas.channels", 2, 1024), r.Int("nas.enas.nodes", 1, 12), r.Int("nas.enas.cells-per-stage", 1, 64),
                r.Int("nas.enas.stages", 1, 4), r.StringList("nas.enas.ops")),
            new ControllerSpec(r.Int("nas.enas.controller.hidden-size", 1, 4096), r.Double("nas.enas.controller.temperature", 1e-6, 1e6),
                r.Double("nas.enas.controller.tanh-constant", 0, 1e6), r.Double("nas.enas.controller.learning-rate", 1e-12, 10),
                r.Double("nas.enas.controller.entropy-weight", 0, 100), r.Double("nas.enas.controller.grad-clip", 0, 1e9), seed),
            new ReinforceSettings(r.Int("nas.enas.epochs", 1, 100_000), r.Int("nas.enas.controller.steps-per-epoch", 0, 1_000_000),
                r.Int("nas.enas.controller.samples-per-update", 1, 100_000), r.Double("nas.enas.controller.baseline-decay", 0, 0.999999),
                r.Int("nas.enas.derive-samples", 1, 1_000_000)),
            r.Int("nas.enas.controller.reward-images", 1, 59_000), r.Int("nas.enas.path-every", 1, 1_000_000));
        var settings = new NasSettings(strategy, seed, data, supernet, train, evo,
            r.Long("nas.search.max-flops", 0, long.MaxValue), r.Long("nas.search.max-params", 0, long.MaxValue),
            devices, r.Int("nas.trainers.intra-op-threads", 0, 1024), r.Duration("nas.runtime.lease-timeout"),
            r.Int("nas.runtime.snapshot-every", 1, 1_000_000), r.Int("nas.export.top-k", 1, 10_000), enas,
            r.String("nas.runtime.keep-checkpoints") switch
            {
                "last" => false,
                "all" => true,
                var other => throw new NasUserException($"nas.runtime.keep-checkpoints = '{other}' in {source}; use last or all"),
            },
            r.Long("nas.retrain.steps", 0, 100_000_000),
            r.String("nas.trainers.backend") switch
            {
                "torch" => false,
                "synthetic" => true,
                var other => throw new NasUserException($"nas.trainers.backend = '{other}' in {source}; use torch (or synthetic, for runtime benchmarks)"),
            },
            r.Duration("nas.trainers.synthetic-cost", allowZero: true));
        try
        {
            supernet.Validate();
            evo.Validate();
            enas.Space.Validate();
            enas.Reinforce.Validate();
        }
        catch (NasUserException e)
        {
            throw new NasUserException($"{e.Message} (in {source})");
        }
        if (data.ValidationSize < train.ValidationImages)
            throw new NasUserException($"nas.train.validation-images = {train.ValidationImages} exceeds nas.data.validation-size = {data.ValidationSize} in {source}");
        if (settings.IsEnas)
        {
            if (settings.MaxFlops > 0 || settings.MaxParams > 0)
                throw new NasUserException($"nas.search.max-flops / max-params in {source} apply to spos and random only; the ENAS controller samples without limits: set them to 0");
            if (data.ValidationSize < enas.RewardImages)
                throw new NasUserException($"nas.enas.controller.reward-images = {enas.RewardImages} exceeds nas.data.validation-size = {data.ValidationSize} in {source}");
            var rounds = settings.SupernetRounds;
            if (rounds % enas.Reinforce.Epochs != 0)
                throw new NasUserException($"{source}: shared-weight training has {rounds} rounds (nas.train.total-steps / trainers / steps-per-round, rounded up), which nas.enas.epochs = {enas.Reinforce.Epochs} does not divide; make the rounds a multiple of the epochs");
        }
        return settings;
    }

    internal static bool IsDevice(string d) =>
        d == "cpu" || (d.StartsWith("cpu:", StringComparison.Ordinal) && int.TryParse(d[4..], out var c) && c >= 0)
        || (d.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(d[5..], out var g) && g >= 0);

    /// <summary>
    /// Fingerprint of every setting that changes what a search computes (not lease timeout, snapshots or export size):
    /// recorded when an experiment starts and checked on resume, so a resumed run cannot silently diverge.
    /// </summary>
    public string ResultHash
    {
        get
        {
            // ENAS settings only enter ENAS fingerprints, so SPOS experiments started before ENAS existed still resume.
            var json = IsEnas
                ? System.Text.Json.JsonSerializer.Serialize(new
                {
                    Strategy, Seed, Data = new { Data.ValidationSize, Data.TrainLimit }, Train, Enas, MaxFlops, MaxParams,
                    Trainers = Devices.Length, Threads = EffectiveThreads,
                })
                : System.Text.Json.JsonSerializer.Serialize(new
                {
                    Strategy, Seed, Data = new { Data.ValidationSize, Data.TrainLimit }, Supernet, Train, Evolution, MaxFlops, MaxParams,
                    Trainers = Devices.Length, Threads = EffectiveThreads,
                });
            // Retraining enters the fingerprint only when it is on, so experiments from before it existed still resume.
            if (RetrainSteps > 0) json += "|retrain " + RetrainSteps.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (Synthetic) json += "|synthetic";
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json)));
        }
    }

    /// <summary>Steps each trainer slot runs (data-parallel: the total split over the trainers).</summary>
    public long StepsPerSlot => (Train.TotalSteps + Devices.Length - 1) / Devices.Length;

    /// <summary>Supernet (shared-weight) training rounds.</summary>
    public int SupernetRounds => (int)((StepsPerSlot + Train.StepsPerRound - 1) / Train.StepsPerRound);

    /// <summary>Intra-op threads to use: the configured number, or cores shared among the CPU trainers.</summary>
    public int EffectiveThreads => IntraOpThreads > 0 ? IntraOpThreads
        : Math.Max(1, Environment.ProcessorCount / Math.Max(1, Devices.Count(d => d.StartsWith("cpu", StringComparison.Ordinal))));

    public Constraints Constraints(Core.Experiments.CostTable costs) =>
        new(costs, MaxFlops > 0 ? MaxFlops : null, MaxParams > 0 ? MaxParams : null);

    public ISearchStrategy CreateStrategy(SearchSpace space, Core.Experiments.CostTable costs)
    {
        var constraints = Constraints(costs);
        constraints.CheckSatisfiable(space);
        return Strategy == "random"
            ? new RandomSearch(space, constraints, Seed, Evolution.Generations, Evolution.PopulationSize, Evolution.TopK)
            : new SposEvolution(space, constraints, Evolution);
    }
}
