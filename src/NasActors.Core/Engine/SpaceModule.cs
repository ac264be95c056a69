using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Engine;

/// <summary>
/// A registered search space: name, description, its config section (nas.spaces.NAME) and how the section becomes a
/// spec and the spec a <see cref="SearchSpace"/>. The network that realises the spec (the supernet module) is
/// registered with the Torch layer under the same name.
/// </summary>
public abstract class SpaceModule
{
    public abstract string Name { get; }
    public abstract string Description { get; }
    public abstract string ConfigSection { get; }

    /// <summary>Reads and validates the section; throws <see cref="NasUserException"/> naming the key and the file.</summary>
    public abstract object ReadSpec(ISettingsSource section);

    public abstract SearchSpace CreateSpace(object spec);

    /// <summary>The retraining tricks its network implements (nas.retrain.drop-path, auxiliary-weight); a set trick it lacks is refused.</summary>
    public virtual RetrainTricks RetrainTricks => RetrainTricks.None;

    public virtual SpaceTraits Traits(object spec) => SpaceTraits.Of(CreateSpace(spec), weightSharing: true);
}
