using System.Collections.Immutable;
using NasActors.Core.Experiments;
using static NasActors.Runtime.Experiment.ExperimentProtocol;

namespace NasActors.Runtime.Experiment;

/// <summary>The experiment's persisted state: a fold of its journal events. Also its snapshot.</summary>
internal sealed record ExperimentState(
    Started? Info,
    int RoundsDone,
    string? Checkpoint,
    ImmutableSortedDictionary<int, SliceCompleted> RoundSlices,
    long ImagesTrained,
    ImmutableArray<ScoredRollout>? Top,
    TestCompleted? Test,
    string? Policy = null,
    int ControllerEpochsDone = 0,
    RetrainCompleted? Retrained = null) : Serialization.INasSerializable
{
    public static readonly ExperimentState Empty = new(null, 0, null, ImmutableSortedDictionary<int, SliceCompleted>.Empty, 0, null, null);

    public bool Enas => Info is { Epochs: > 0 };

    /// <summary>ENAS: rounds of shared-weight training per epoch.</summary>
    public int RoundsPerEpoch => Enas ? Info!.Rounds / Info.Epochs : Info?.Rounds ?? 0;

    public Phase Phase =>
        Info is null ? Phase.Supernet
        : Enas && ControllerEpochsDone < Info.Epochs
            ? (Policy is null || RoundsDone < (ControllerEpochsDone + 1) * RoundsPerEpoch ? Phase.Supernet : Phase.Controller)
        : RoundsDone < Info.Rounds ? Phase.Supernet
        : Top is null ? Phase.Search
        : Test is null ? Phase.Test
        : Info.RetrainSteps > 0 && Retrained is null ? Phase.Retrain
        : Phase.Finished;

    public ExperimentState Apply(object e) => e switch
    {
        Started s => this with { Info = s },
        SliceCompleted s when s.Round == RoundsDone => this with { RoundSlices = RoundSlices.SetItem(s.Slot, s), ImagesTrained = ImagesTrained + s.Images },
        RoundCompleted r when r.Round == RoundsDone => this with { RoundsDone = RoundsDone + 1, Checkpoint = r.Checkpoint, RoundSlices = RoundSlices.Clear() },
        SearchCompleted s => this with { Top = s.Top },
        TestCompleted t => this with { Test = t },
        RetrainCompleted r => this with { Retrained = r },
        PolicyAdopted p when (Policy is null && p.Epoch == 0) || (Policy is not null && p.Epoch == ControllerEpochsDone + 1) => this with { Policy = p.Policy, ControllerEpochsDone = p.Epoch },
        _ => this,
    };
}
