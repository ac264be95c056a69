namespace NasActors.Runtime.Cluster;

/// <summary>
/// Turns a submitted experiment config into what the coordinator needs to run it (the CLI builds the Torch or synthetic
/// factory). Called off the actor's thread; throws <see cref="Core.NasUserException"/> for a bad config or missing data.
/// </summary>
public interface IExperimentBuilder
{
    ExperimentDefinition Build(string name, string configText);
}
