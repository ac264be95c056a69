using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Training;

/// <summary>Builds policy backends for the controller (one per thread that uses it).</summary>
public interface IPolicyBackendFactory
{
    SearchSpace Space { get; }

    /// <summary>Called on the thread that will use the backend.</summary>
    IPolicyBackend CreatePolicy();
}
