using NasActors.Core.Engine;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Strategies.Train;

/// <summary>
/// Registration of the train-only plan (nas.strategy = train, what `nas train ARCH.json` runs): no search; the given
/// architecture is trained from scratch with nas.retrain's settings and measured on the test split, journaled and
/// resumable like a search.
/// </summary>
public sealed class TrainModule : StrategyModule<TrainSettings>
{
    public const string StrategyName = "train";

    public override string Name => StrategyName;

    public override string Description => "no search: train one given architecture from scratch with nas.retrain's settings (what `nas train ARCH.json` runs)";

    public override string ConfigSection => """
        # The architecture to train, an NNI dict as JSON text; `nas train ARCH.json` fills it in. Training: nas.retrain.
        architecture = ""
        """;

    public override TrainSettings Read(ISettingsSource s, EngineSettings engine)
    {
        var arch = s.String("architecture");
        if (arch.Trim().Length == 0)
            throw s.Error("architecture", "is empty; run `nas train ARCH.json`, which fills it in from the file");
        if (!engine.OneShot.Retrain.Enabled)
            throw new NasUserException($"nas.retrain.epochs = 0 (in {s.Source}): training an architecture needs at least one epoch; set nas.retrain.epochs");
        return new TrainSettings(arch);
    }

    /// <summary>Any space: the architecture is trained alone, no weight sharing involved.</summary>
    public override string? Incompatibility(SpaceModule space, SpaceTraits traits) => null;

    public override IPlan CreatePlan(PlanContext context, TrainSettings settings)
    {
        Architecture arch;
        try { arch = NniArchitectureJson.Parse(settings.Architecture, context.Space); }
        catch (NasUserException e) { throw new NasUserException($"nas.strategies.train.architecture: {e.Message}"); }
        return new TrainPlan(new Experiments.Rollout(new Experiments.RolloutId(0), arch, 0, "nas train"), context.Engine.OneShot.Retrain);
    }
}
