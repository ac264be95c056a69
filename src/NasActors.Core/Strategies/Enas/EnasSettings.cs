using NasActors.Core.Training;

namespace NasActors.Core.Strategies.Enas;

/// <summary>nas.strategies.enas-rl: the LSTM controller and how it alternates with shared-weight training.</summary>
/// <param name="RewardImages">Validation images per reward minibatch (one minibatch per sampled architecture).</param>
/// <param name="PathEvery">Shared-weight training samples a new architecture from the controller every this many batches.</param>
public sealed record EnasSettings(ControllerSpec Controller, ReinforceSettings Reinforce, int RewardImages, int PathEvery);
