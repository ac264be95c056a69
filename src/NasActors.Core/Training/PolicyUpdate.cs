namespace NasActors.Core.Training;

/// <summary>One REINFORCE step's outcome: the new policy checkpoint and figures of the batch it learned from.</summary>
/// <param name="Entropy">Mean over the batch of the policy's entropy (nats, summed over decisions) at the sampled decisions, before the step.</param>
public sealed record PolicyUpdate(string Checkpoint, double Loss, double Entropy, double GradNorm);
