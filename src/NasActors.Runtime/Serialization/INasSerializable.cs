namespace NasActors.Runtime.Serialization;

/// <summary>
/// Marks every journal event, snapshot and message that may leave the process. <see cref="Hosting.AkkaConfig.Serialization"/>
/// binds it to <see cref="NasSerializer"/>, so none of them falls back to Akka's type-name JSON; every concrete type
/// needs a manifest in <see cref="NasManifests"/>.
/// </summary>
public interface INasSerializable;
