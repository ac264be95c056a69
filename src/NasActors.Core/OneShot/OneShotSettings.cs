namespace NasActors.Core.OneShot;

/// <summary>
/// How shared weights are trained and the result finished, for every one-shot strategy (from nas.train, nas.trainers
/// and nas.retrain).
/// </summary>
/// <param name="Slots">Data-parallel training slots per round (one per configured trainer).</param>
/// <param name="StepsPerSlot">SGD steps each slot runs in all.</param>
/// <param name="StepsPerRound">Steps a slot trains between checkpoints (and weight averaging).</param>
/// <param name="Retrain">Retrain the best architecture from scratch at the end (<see cref="RetrainSettings.Off"/>: no).</param>
public sealed record OneShotSettings(long Seed, int Slots, long StepsPerSlot, int StepsPerRound, RetrainSettings? Retrain = null)
{
    // Config reading enforces these; a plugin or test building settings directly gets the same guarantee here.
    public int Slots { get; } = Slots >= 1 ? Slots : throw new ArgumentOutOfRangeException(nameof(Slots), Slots, "at least one training slot");
    public long StepsPerSlot { get; } = StepsPerSlot >= 1 ? StepsPerSlot : throw new ArgumentOutOfRangeException(nameof(StepsPerSlot), StepsPerSlot, "at least one step per slot");
    public int StepsPerRound { get; } = StepsPerRound >= 1 ? StepsPerRound : throw new ArgumentOutOfRangeException(nameof(StepsPerRound), StepsPerRound, "at least one step per round");
    public RetrainSettings Retrain { get; } = Retrain ?? RetrainSettings.Off;

    public int Rounds => (int)((StepsPerSlot + StepsPerRound - 1) / StepsPerRound);
}
