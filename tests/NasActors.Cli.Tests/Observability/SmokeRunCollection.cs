namespace NasActors.Cli.Tests.Observability;

/// <summary>The observability test classes share one <see cref="SmokeRun"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SmokeRunCollection : ICollectionFixture<SmokeRun>
{
    public const string Name = "observed smoke run";
}
