namespace NasActors.Core.Training;

/// <summary>Progress inside a long slice, reported every few batches.</summary>
public sealed record TrainProgress(int Round, int Slot, long Step, int Images, double Loss, double Seconds);
