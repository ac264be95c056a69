using Akka.Actor;
using NasActors.Core.Training;

namespace NasActors.Runtime.Trainers;

/// <summary>
/// A trainer owns one device. It registers with the experiment, pulls work when idle, runs it on its own thread and
/// reports results and progress (messages of <see cref="Experiment.ExperimentProtocol"/>).
/// </summary>
public static class TrainerProtocol
{
    public sealed record Settings(string Device);

    public static Props Props(Settings settings, ITrainerBackendFactory factory, IActorRef experiment) =>
        Akka.Actor.Props.Create(() => new TrainerActor(settings, factory, experiment));
}
