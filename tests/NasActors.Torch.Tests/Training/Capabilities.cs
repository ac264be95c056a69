using NasActors.Core.Training;

namespace NasActors.Torch.Tests.Training;

/// <summary>
/// The capabilities a backend made by a factory must have, asked for the way work items ask (a missing one fails the
/// test right there).
/// </summary>
internal static class Capabilities
{
    public static ISupernetTrainer Trainer(this ITrainerBackend backend) => Need<ISupernetTrainer>(backend);

    public static IArchitectureEvaluator Evaluator(this ITrainerBackend backend) => Need<IArchitectureEvaluator>(backend);

    public static IRetrainer Retrainer(this ITrainerBackend backend) => Need<IRetrainer>(backend);

    public static IPolicyBackend Policy(this ITrainerBackend backend) => Need<IPolicyBackend>(backend);

    private static T Need<T>(ITrainerBackend backend) where T : class =>
        backend.Capability<T>() ?? throw new Xunit.Sdk.XunitException($"backend on {backend.Device} has no {typeof(T).Name}");
}
