using NasActors.Core.Training;

namespace NasActors.Cli.Observability;

/// <summary>What the live view shows beside the plan's status: the run's own measurements.</summary>
/// <param name="Title">"experiment NAME · STRATEGY on SPACE".</param>
/// <param name="Live">The latest trainer report (step, loss) and its device, if training.</param>
/// <param name="Eta">Time left for the counter that is moving, if it can be estimated.</param>
internal sealed record LiveFacts(string Title, TimeSpan Elapsed, double ImagesPerSecond, TrainProgress? Live, string? Device, TimeSpan? Eta);
