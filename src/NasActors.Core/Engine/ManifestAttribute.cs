namespace NasActors.Core.Engine;

/// <summary>
/// The stable name under which a work item, work result, plan event or other persisted record is serialized. A
/// manifest never changes once released: a changed shape gets a new ".vN" name. The serializer finds every type that
/// carries one (in NasActors and in plugin assemblies), so a new strategy's records need no serializer case.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ManifestAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
