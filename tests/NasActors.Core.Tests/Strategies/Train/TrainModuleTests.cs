using NasActors.Core.Engine;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies.Train;
using NasActors.Core.Tests.Support;

namespace NasActors.Core.Tests.Strategies.Train;

public class TrainModuleTests
{
    [Fact]
    public void TrainModule_must_accept_any_space_and_build_a_plan_of_the_given_architecture()
    {
        var m = new TrainModule();
        Assert.Null(m.Incompatibility(new NamedSpace("plain-cnn"), new SpaceTraits(WeightSharing: false, SmallChoices: false)));
        var space = Fixtures.SposSpace6();
        var arch = space.Sample(NasActors.Core.Randomness.Xoshiro256.FromSeed(1));
        var engine = Fixtures.Engine(Fixtures.OneShot(retrainSteps: 2));
        var plan = Assert.IsType<TrainPlan>(m.CreatePlan(new PlanContext(space, null, engine, new TrainSettings(NniArchitectureJson.ToJson(arch, space)))));
        Assert.Equal(arch.CanonicalKey, plan.Rollout.Architecture.CanonicalKey);
        Assert.Equal(("train", "train"), (plan.Strategy, plan.Status(plan.Initial).Phase));
    }

    [Fact]
    public void TrainModule_must_refuse_an_architecture_of_another_space_naming_the_key()
    {
        var space = Fixtures.SposSpace6();
        var engine = Fixtures.Engine(Fixtures.OneShot(retrainSteps: 2));
        var e = Assert.ThrowsAny<NasUserException>(() => new TrainModule().CreatePlan(new PlanContext(space, null, engine, new TrainSettings("{\"normal/op_2_0\": \"sep_conv_3x3\"}"))));
        Assert.Contains("normal/op_2_0", e.Message);
    }
}
