using NasActors.Core.Randomness;

namespace NasActors.Core.Training;

/// <summary>
/// Controller state written into each policy checkpoint beside the weights and Adam state, so a checkpoint alone
/// is a complete controller: updates done, the reward baseline, the sampling RNG state.
/// </summary>
public sealed record PolicyMeta(long Step, double Baseline, RngState Rng);
