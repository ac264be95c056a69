namespace NasActors.Core.Strategies.Enas;

/// <summary>Figures of the last policy update, for progress lines and status.</summary>
public sealed record ReinforceStats(double MeanReward, double Loss, double Entropy, double GradNorm);
