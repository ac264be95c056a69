namespace NasActors.Core.Engine;

/// <summary>A dataset the trainers can load (listed by `nas registry`).</summary>
public sealed record DatasetModule(string Name, string Description);
