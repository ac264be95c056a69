namespace NasActors.Runtime.Serialization;

/// <summary>
/// Marks every journal event, snapshot and message that may leave the process. reference.conf binds it to
/// <see cref="NasSerializer"/>, so none of them falls back to Akka's type-name JSON.
/// </summary>
public interface INasSerializable;
