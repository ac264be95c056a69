using System.Collections.Immutable;
using System.Text.Json;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;

namespace NasActors.Runtime.Configuration;

/// <summary>
/// Every nas.* setting, typed and validated once (see reference.conf for meanings and defaults). The space and the
/// strategy are chosen separately (nas.space, nas.strategy); each reads its own section (nas.spaces.NAME,
/// nas.strategies.NAME) through its registered module, so this record knows none of them.
/// </summary>
public sealed record NasSettings(
    string SpaceName,
    object SpaceSpec,
    string StrategyName,
    object StrategySettings,
    long Seed,
    DataSpec Data,
    TrainSpec Train,
    long MaxFlops,
    long MaxParams,
    ImmutableArray<string> Devices,
    int IntraOpThreads,
    TimeSpan LeaseTimeout,
    int ExportTopK,
    bool KeepAllCheckpoints = false,
    RetrainSettings? RetrainSettings = null,
    bool Synthetic = false,
    TimeSpan SyntheticCost = default,
    object? RetrainSpaceSpec = null)
{
    /// <summary>nas.retrain, with one data-parallel slot per configured trainer.</summary>
    public RetrainSettings Retrain => (RetrainSettings ?? Core.OneShot.RetrainSettings.Off) with { Slots = Devices.IsDefaultOrEmpty ? 1 : Devices.Length };

    /// <summary>The space's spec for the retrained model: nas.spaces.NAME with nas.retrain.space's keys over it.</summary>
    public object RetrainSpec => RetrainSpaceSpec ?? SpaceSpec;

    public SpaceModule SpaceModule => Catalog.Space(SpaceName);
    public StrategyModule StrategyModule => Catalog.Strategy(StrategyName);

    /// <summary>Builds and validates settings; throws <see cref="NasUserException"/> naming the key and <paramref name="source"/>.</summary>
    public static NasSettings Create(Akka.Configuration.Config config, string source)
    {
        var r = new ConfigReader(config, source);
        SpaceModule spaceModule;
        StrategyModule strategyModule;
        try
        {
            spaceModule = Catalog.Space(r.String("nas.space"));
            strategyModule = Catalog.Strategy(r.String("nas.strategy"));
        }
        catch (NasUserException e) when (!e.Message.Contains(source, StringComparison.Ordinal))
        {
            throw new NasUserException($"{e.Message} (in {source})");
        }
        var seed = r.Long("nas.experiment.seed");
        var dataset = r.String("nas.data.dataset");
        try { Catalog.Dataset(dataset); }
        catch (NasUserException e) { throw new NasUserException($"{e.Message} (in {source})"); }
        var data = new DataSpec(r.String("nas.data.directory"), r.Int("nas.data.validation-size", 1, 59_000), r.Int("nas.data.train-limit", 0, 60_000), dataset,
            r.Bool("nas.data.augment"), r.Int("nas.data.cutout", 0, 32));
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
        // A bare string (devices = cpu) reads as an empty list in Akka's HOCON: name the real mistake.
        if (config.GetValue("nas.trainers.devices") is { } dv && !dv.IsArray() && dv.IsString() && !string.IsNullOrWhiteSpace(dv.GetString()))
            throw new NasUserException($"nas.trainers.devices in {source} must be a list like [cpu] or [cpu, \"cuda:0\"], not '{dv}'");
        var devices = r.StringList("nas.trainers.devices");
        if (devices.IsEmpty) throw new NasUserException($"nas.trainers.devices in {source} is empty; list at least one device, e.g. [cpu]");
        foreach (var d in devices)
            if (!IsDevice(d))
                throw new NasUserException($"nas.trainers.devices in {source} has '{d}'; use cpu or cuda:N");
        if (data.ValidationSize < train.ValidationImages)
            throw new NasUserException($"nas.train.validation-images = {train.ValidationImages} exceeds nas.data.validation-size = {data.ValidationSize} in {source}");
        var spaceSpec = spaceModule.ReadSpec(r.Section("nas.spaces." + spaceModule.Name));
        var partial = new NasSettings(spaceModule.Name, spaceSpec, strategyModule.Name, new object(), seed, data, train,
            r.Long("nas.search.max-flops", 0, long.MaxValue), r.Long("nas.search.max-params", 0, long.MaxValue),
            devices, r.Int("nas.trainers.intra-op-threads", 0, 1024), r.Duration("nas.runtime.lease-timeout"),
            r.Int("nas.export.top-k", 1, 10_000),
            r.String("nas.runtime.keep-checkpoints") switch
            {
                "last" => false,
                "all" => true,
                var other => throw new NasUserException($"nas.runtime.keep-checkpoints = '{other}' in {source}; use last or all"),
            },
            ReadRetrain(r),
            r.String("nas.trainers.backend") switch
            {
                "torch" => false,
                "synthetic" => true,
                var other => throw new NasUserException($"nas.trainers.backend = '{other}' in {source}; use torch (or synthetic, for runtime benchmarks)"),
            },
            r.Duration("nas.trainers.synthetic-cost", allowZero: true));
        partial = partial with { RetrainSpaceSpec = RetrainSpace(config, r, spaceModule, source) };
        CheckTricks(partial.Retrain, spaceModule, source);
        // Where nas.data.augment crops and flips (cifar10), it already does so for retraining.
        if (partial.Retrain.Enabled && (partial.Retrain.CropPadding > 0 || partial.Retrain.Flip) && data.CropsAndFlips)
            throw new NasUserException($"nas.retrain.crop-padding / flip in {source}: {data.Dataset} training images are already cropped and flipped by nas.data.augment = on; set nas.retrain.crop-padding = 0 and flip = off");
        CheckPair(spaceModule, spaceSpec, strategyModule, source); // before the strategy's own checks: a pair that cannot run says so first
        var strategySettings = strategyModule.ReadSettings(r.Section("nas.strategies." + strategyModule.Name), partial.Engine);
        var settings = partial with { StrategySettings = strategySettings };
        if (settings.Synthetic && !strategyModule.BackendNeeds(strategySettings).IsEmpty)
            throw new NasUserException($"nas.trainers.backend = synthetic (in {source}) cannot run strategy {strategyModule.Name}, which needs a real trainer backend; use nas.trainers.backend = torch");
        return settings;
    }

    private static RetrainSettings ReadRetrain(ConfigReader r) => new(
        r.Int("nas.retrain.epochs", 0, 100_000),
        r.Int("nas.retrain.batch-size", 1, 65_536),
        r.Double("nas.retrain.learning-rate", 1e-9, 100),
        r.Double("nas.retrain.learning-rate-min", 0, 100),
        r.Double("nas.retrain.momentum", 0, 0.9999),
        r.Double("nas.retrain.weight-decay", 0, 1),
        r.Double("nas.retrain.grad-clip", 0, 1e9),
        r.Int("nas.retrain.cutout", 0, 64),
        r.Double("nas.retrain.drop-path", 0, 0.95),
        r.Double("nas.retrain.auxiliary-weight", 0, 100),
        Rounds: r.Int("nas.retrain.rounds-per-epoch", 1, 10_000),
        CropPadding: r.Int("nas.retrain.crop-padding", 0, 16),
        Flip: r.Bool("nas.retrain.flip"),
        IncludeValidation: r.Bool("nas.retrain.include-validation"));

    /// <summary>nas.retrain.space: keys of the selected space's section, read over it by the space's module (null: none set).</summary>
    private static object? RetrainSpace(Akka.Configuration.Config config, ConfigReader r, SpaceModule space, string source)
    {
        var section = "nas.spaces." + space.Name;
        var overrides = config.GetConfig("nas.retrain.space");
        var keys = overrides?.Root is { } root && root.IsObject() ? root.GetObject().Items.Keys.ToList() : [];
        if (keys.Count == 0) return null;
        foreach (var key in keys)
            if (!config.HasPath(section + "." + key))
                throw new NasUserException($"nas.retrain.space.{key} in {source} is not a key of {section} (nas.space = {space.Name}); " +
                                           $"it changes the space's keys for the retrained model ({string.Join(", ", config.GetConfig(section)?.Root?.GetObject()?.Items.Keys.AsEnumerable() ?? [])})");
        var merged = overrides!.WithFallback(config.GetConfig(section));
        try { return space.ReadSpec(new ConfigReader(merged, source)); }
        catch (NasUserException e) { throw new NasUserException($"nas.retrain.space (over {section}): {e.Message}"); }
    }

    /// <summary>A retraining trick the space cannot do is refused, never silently ignored.</summary>
    private static void CheckTricks(RetrainSettings retrain, SpaceModule space, string source)
    {
        if (!retrain.Enabled) return;
        var tricks = space.RetrainTricks;
        if (retrain.DropPath > 0 && !tricks.HasFlag(RetrainTricks.DropPath))
            throw new NasUserException($"nas.retrain.drop-path = {retrain.DropPath.ToString(System.Globalization.CultureInfo.InvariantCulture)} in {source}: space {space.Name} has no drop path (DARTS cells do); set nas.retrain.drop-path = 0");
        if (retrain.AuxiliaryWeight > 0 && !tricks.HasFlag(RetrainTricks.AuxiliaryHead))
            throw new NasUserException($"nas.retrain.auxiliary-weight = {retrain.AuxiliaryWeight.ToString(System.Globalization.CultureInfo.InvariantCulture)} in {source}: space {space.Name} has no auxiliary head (DARTS cells do); set nas.retrain.auxiliary-weight = 0");
    }

    /// <summary>Refuses a space/strategy pair that cannot work, naming both and what would.</summary>
    private static void CheckPair(SpaceModule space, object spec, StrategyModule strategy, string source)
    {
        var traits = space.Traits(spec);
        if (strategy.Incompatibility(space, traits) is { } why)
        {
            var strategies = Catalog.Strategies.Where(s => s.Incompatibility(space, traits) is null).Select(s => s.Name).ToList();
            throw new NasUserException($"nas.strategy = {strategy.Name} cannot search nas.space = {space.Name} (in {source}): {why}; " +
                (strategies.Count == 0 ? "no registered strategy can search this space" : $"strategies that can: {string.Join(", ", strategies)}"));
        }
    }

    internal static bool IsDevice(string d) =>
        d == "cpu" || (d.StartsWith("cpu:", StringComparison.Ordinal) && int.TryParse(d[4..], out var c) && c >= 0)
        || (d.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(d[5..], out var g) && g >= 0);

    /// <summary>Steps each trainer slot runs (data-parallel: the total split over the trainers).</summary>
    public long StepsPerSlot => (Train.TotalSteps + Devices.Length - 1) / Devices.Length;

    /// <summary>How shared weights are trained, for every one-shot strategy.</summary>
    public OneShotSettings OneShot => new(Seed, Devices.Length, StepsPerSlot, Train.StepsPerRound, Retrain);

    public EngineSettings Engine => new(Seed, OneShot, MaxFlops, MaxParams, Data.ValidationSize);

    /// <summary>Intra-op threads to use: the configured number, or cores shared among the CPU trainers.</summary>
    public int EffectiveThreads => IntraOpThreads > 0 ? IntraOpThreads
        : Math.Max(1, Environment.ProcessorCount / Math.Max(1, Devices.Count(d => d.StartsWith("cpu", StringComparison.Ordinal))));

    /// <summary>What the strategy needs of a trainer backend beyond shared-weight training and scoring.</summary>
    public ImmutableArray<object> BackendNeeds => StrategyModule.BackendNeeds(StrategySettings);

    /// <summary>The strategy's plan over <paramref name="space"/>; <paramref name="costs"/> null only to replay a journal.</summary>
    public IPlan CreatePlan(SearchSpace space, ICostModel? costs, bool readOnly = false) =>
        StrategyModule.CreatePlan(new PlanContext(space, costs, Engine, StrategySettings, readOnly));

    /// <summary>
    /// Fingerprint of every setting that changes what a search computes (not lease timeout, export size or checkpoint
    /// keeping): recorded when an experiment starts and checked on resume, so a resumed run cannot silently diverge.
    /// </summary>
    /// <summary>What of nas.data changes results; for Fashion-MNIST exactly what it was before CIFAR-10, so existing stores resume.</summary>
    private object DataFingerprint => Data.Dataset == "fashion-mnist"
        ? new { Data.ValidationSize, Data.TrainLimit }
        : new { Data.ValidationSize, Data.TrainLimit, Data.Dataset, Data.Augment, Data.Cutout };

    /// <summary>nas.retrain as written before rounds-per-epoch, crop-padding, flip and include-validation existed when they are at their defaults (what ran then), so those experiments resume.</summary>
    private JsonElement RetrainFingerprint
    {
        get
        {
            var node = JsonSerializer.SerializeToNode(Retrain)!.AsObject();
            if (Retrain.Rounds == 1) node.Remove(nameof(Retrain.Rounds));
            if (Retrain.CropPadding == 0) node.Remove(nameof(Retrain.CropPadding));
            if (!Retrain.Flip) node.Remove(nameof(Retrain.Flip));
            if (!Retrain.IncludeValidation) node.Remove(nameof(Retrain.IncludeValidation));
            return JsonSerializer.SerializeToElement(node);
        }
    }

    public string ResultHash
    {
        get
        {
            var json = JsonSerializer.Serialize(new
            {
                Space = SpaceName, SpaceSpec = JsonSerializer.SerializeToElement(SpaceSpec, SpaceSpec.GetType()),
                Strategy = StrategyName, StrategySettings = JsonSerializer.SerializeToElement(StrategySettings, StrategySettings.GetType()),
                Seed, Data = DataFingerprint, Train, MaxFlops, MaxParams,
                Trainers = Devices.Length, Threads = EffectiveThreads,
                // Named and written as before epochs existed (0 when off), so experiments without retraining keep their fingerprint.
                RetrainSteps = Retrain.Enabled ? (object)new { Retrain = RetrainFingerprint, Space = JsonSerializer.SerializeToElement(RetrainSpec, RetrainSpec.GetType()) } : 0L,
                Synthetic,
            });
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json)));
        }
    }
}
