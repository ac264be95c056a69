namespace NasActors.Core.Training;

/// <summary>
/// ENAS LSTM controller hyper-parameters (nas.strategies.enas-rl.controller; defaults and their sources in reference.conf).
/// </summary>
/// <param name="HiddenSize">LSTM hidden size (and decision-embedding size).</param>
/// <param name="Temperature">Logits are divided by this before the tanh clipping (ENAS micro: 5.0).</param>
/// <param name="TanhConstant">Logits = TanhConstant * tanh(logits / Temperature) (ENAS micro: 1.10; NNI: 1.5).</param>
/// <param name="LearningRate">Adam learning rate (ENAS: 0.0035).</param>
/// <param name="EntropyWeight">Weight of the entropy bonus in the REINFORCE loss (ENAS: 1e-4).</param>
/// <param name="GradClip">Max global L2 norm of the policy gradient (NNI ENAS: 5.0); 0 = no clipping.</param>
/// <param name="Seed">Seeds the policy's initial weights.</param>
public sealed record ControllerSpec(int HiddenSize, double Temperature, double TanhConstant, double LearningRate, double EntropyWeight, double GradClip, long Seed);
