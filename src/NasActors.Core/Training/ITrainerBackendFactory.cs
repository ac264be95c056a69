using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Training;

/// <summary>Builds one backend per device and knows the search space and its cost table.</summary>
public interface ITrainerBackendFactory
{
    SearchSpace Space { get; }
    ICostModel Costs { get; }

    /// <summary>Called on the trainer's dedicated thread. Throws <see cref="NasUserException"/> for a device this build cannot use.</summary>
    ITrainerBackend Create(string device);

    /// <summary>
    /// Checks up front what <see cref="Create"/> would reject later (devices, data, sizes), so a command can refuse bad
    /// input before it writes anything. Throws <see cref="NasUserException"/>.
    /// </summary>
    void Validate(IEnumerable<string> devices) { }
}
