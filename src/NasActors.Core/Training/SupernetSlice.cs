namespace NasActors.Core.Training;

/// <summary>
/// One unit of supernet training: slot <paramref name="Slot"/> of <paramref name="Slots"/> trains
/// <paramref name="Steps"/> steps from global step <paramref name="FirstStep"/>, starting at
/// <paramref name="FromCheckpoint"/> (null: fresh weights from the seed). A pure function of its fields, so a
/// slice lost with its trainer is simply redone, by any trainer, with the same result.
/// </summary>
/// <param name="Policy">A controller policy checkpoint that samples the paths (one per <paramref name="PathEvery"/> steps,
/// from a stream derived from the seed, the step and the slot); null samples a path uniformly every step (SPOS).</param>
public sealed record SupernetSlice(int Round, int Slot, int Slots, string? FromCheckpoint, long FirstStep, int Steps, string? Policy = null, int PathEvery = 1);
