using NasActors.Core.Engine;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Tests.Support;

/// <summary>A space module that is only a name, for what strategy modules say about a pair (<see cref="StrategyModule.Incompatibility"/>).</summary>
public sealed class NamedSpace(string name) : SpaceModule
{
    public override string Name => name;
    public override string Description => "a test space";
    public override string ConfigSection => "";
    public override object ReadSpec(ISettingsSource section) => throw new NotSupportedException();
    public override SearchSpace CreateSpace(object spec) => throw new NotSupportedException();
}
