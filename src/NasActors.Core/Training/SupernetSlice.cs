namespace NasActors.Core.Training;

/// <summary>
/// One unit of supernet training: slot <paramref name="Slot"/> of <paramref name="Slots"/> trains
/// <paramref name="Steps"/> steps from global step <paramref name="FirstStep"/>, starting at
/// <paramref name="FromCheckpoint"/> (null: fresh weights from the seed). A pure function of its fields, so a
/// slice lost with its trainer is simply redone, by any trainer, with the same result.
/// </summary>
/// <param name="Policy">ENAS: the controller policy checkpoint that samples each step's path (from a stream derived
/// from the seed, the step and the slot); null samples paths uniformly (SPOS).</param>
public sealed record SupernetSlice(int Round, int Slot, int Slots, string? FromCheckpoint, long FirstStep, int Steps, string? Policy = null);
