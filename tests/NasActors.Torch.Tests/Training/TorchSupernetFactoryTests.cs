using NasActors.Torch.Mutables;
using System.Collections.Immutable;
using NasActors.Core;
using NasActors.Core.Engine;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies.Enas;
using NasActors.Core.Training;
using NasActors.Torch.Controllers;
using NasActors.Torch.Spaces;
using NasActors.Torch.Training;

namespace NasActors.Torch.Tests.Training;

/// <summary>
/// The one factory for every registered weight-sharing space, and the capabilities its backends give: the controller
/// policy only when the strategy's needs hold a <see cref="ControllerSpec"/>, for any space (also SPOS blocks).
/// </summary>
public class TorchSupernetFactoryTests
{
    private static readonly Action<TrainProgress> Ignore = _ => { };

    private static WorkContext Context(ITrainerBackend backend) => new(backend, Ignore, CancellationToken.None);

    [Fact]
    public void Spos_with_a_controller_must_sample_valid_spos_architectures_and_train_the_paths_it_samples()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path, needs: [TinySpecs.Controller()]);
        using var backend = factory.Create("cpu");
        var space = factory.Space;

        // The capability: one TorchPolicyBackend per backend, over the SPOS space.
        var policy = backend.Capability<IPolicyBackend>();
        Assert.IsType<TorchPolicyBackend>(policy);
        Assert.Same(policy, backend.Capability<IPolicyBackend>());

        // The ENAS strategy's work items run the controller on this trainer.
        var meta = new PolicyMeta(0, 0, Xoshiro256.StateFromSeed(1));
        var created = Assert.IsType<PolicyCreated>(new InitPolicy(meta).Execute(Context(backend)));
        var rng = Xoshiro256.StateFromSeed(2);
        var sampled = Assert.IsType<PolicySampled>(new SamplePolicy(created.Policy, 40, rng, 0, false).Execute(Context(backend)));

        Assert.Equal("policy/sample/0", sampled.Key);
        Assert.Equal(40, sampled.Architectures.Length);
        foreach (var a in sampled.Architectures)
        {
            space.Validate(a);
            Assert.Equal(space.Choices.Select(c => c.Key).Order(StringComparer.Ordinal), a.Choices.Keys);
        }
        foreach (var c in space.Choices) // near-uniform at init: every block sees every candidate
            Assert.Equal(c.Candidates.Length, sampled.Architectures.Select(a => a[c.Key]).Distinct().Count());
        var direct = new Xoshiro256(rng);
        Assert.Equal<Architecture>(policy!.Sample(created.Policy, 40, direct), sampled.Architectures);
        Assert.Equal(direct.State, sampled.RngAfter);

        // A slice with the policy: slot 1, steps 0..1 = one block of PathEvery 2, so one path, the one the policy samples
        // from the (seed, PolicyPath, block 0, slot 1) stream.
        var slice = new SupernetSlice(0, 1, 2, null, 0, 2, created.Policy, PathEvery: 2);
        var path = policy.Sample(created.Policy, 1,
            Xoshiro256.FromSeed(Xoshiro256.Derive(TinySpecs.Train().Seed, StreamTags.PolicyPath, 0, 1)))[0];
        var start = backend.Trainer().TrainSlice(slice with { Steps = 0 }, Ignore, CancellationToken.None);
        var trained = backend.Trainer().TrainSlice(slice, Ignore, CancellationToken.None);
        var uniform = backend.Trainer().TrainSlice(slice with { Policy = null }, Ignore, CancellationToken.None);

        Assert.Equal(2 * 16, trained.Images);
        Assert.NotEqual(uniform.Checkpoint, trained.Checkpoint);
        using (var other = factory.Create("cpu:1"))
            Assert.Equal(trained.Checkpoint, other.Trainer().TrainSlice(slice, Ignore, CancellationToken.None).Checkpoint);
        // The same slice on a backend whose policy always answers that path gives the same weights...
        using (var data = TinySpecs.Data())
        using (var fixedPath = TinySpecs.SposBackend(dir.Path, data, () => new StubPolicy(space, path)))
            Assert.Equal(trained.Checkpoint, fixedPath.TrainSlice(slice, Ignore, CancellationToken.None).Checkpoint);
        // ...and exactly the blocks' candidates on that path moved.
        var store = new CheckpointStore(dir.Path);
        var before = store.Load(start.Checkpoint).ToDictionary(t => t.Name);
        var opTensors = 0;
        foreach (var t in store.Load(trained.Checkpoint).Where(t => t.Name.StartsWith("model/blocks.", StringComparison.Ordinal)))
        {
            // model/blocks.<i>.choices.<candidate>.<...>; block i is the space's i-th choice
            var parts = t.Name.Split('.');
            var onPath = parts[3] == path[space.Choices[int.Parse(parts[1])].Key];
            var changed = !t.Data.AsSpan().SequenceEqual(before[t.Name].Data);
            Assert.True(onPath == changed, $"{t.Name}: on path {onPath}, changed {changed}");
            opTensors++;
        }
        Assert.True(opTensors > 0);
    }

    [Fact]
    public void Without_a_controller_there_must_be_no_policy_and_policy_work_must_fail_with_a_user_error()
    {
        using var dir = new TempDirectory();
        using var factory = TinySpecs.Factory(dir.Path);
        using var backend = factory.Create("cpu");
        var context = Context(backend);

        Assert.Null(backend.Capability<IPolicyBackend>());
        Assert.Same(backend, backend.Capability<ISupernetTrainer>());
        Assert.Same(backend, backend.Capability<IArchitectureEvaluator>());
        Assert.Same(backend.Capability<IRetrainer>(), backend.Capability<IRetrainer>()); // its own network, built once
        Assert.Null(backend.Capability<ITrainerBackendFactory>());

        var e = Assert.Throws<NasUserException>(() =>
            new SamplePolicy("p", 1, Xoshiro256.StateFromSeed(1), 0, false).Execute(context));
        Assert.Contains(nameof(IPolicyBackend), e.Message);
        Assert.Contains("cpu", e.Message);
        Assert.Throws<NasUserException>(() => new InitPolicy(new PolicyMeta(0, 0, Xoshiro256.StateFromSeed(1))).Execute(context));
        Assert.Throws<NasUserException>(() => new UpdatePolicy("p", [factory.Space.Sample(Xoshiro256.FromSeed(1))], [1.0],
            new PolicyMeta(1, 0, Xoshiro256.StateFromSeed(1)), 1.0).Execute(context));
        // The failed asks left nothing behind: the backend still trains.
        Assert.Equal(4 * 16, backend.Trainer().TrainSlice(new SupernetSlice(0, 0, 1, null, 0, 4), Ignore, CancellationToken.None).Images);
    }

    [Fact]
    public void Factory_must_reject_needs_it_cannot_provide_and_bad_controllers_for_the_space()
    {
        using var dir = new TempDirectory();
        var badNeed = Assert.Throws<NasUserException>(() => TinySpecs.Factory(dir.Path, needs: ["a tensorboard"]));
        Assert.Contains("String", badNeed.Message);
        Assert.Contains("temperature", Assert.Throws<NasUserException>(() =>
            TinySpecs.Factory(dir.Path, needs: [TinySpecs.Controller() with { Temperature = 0 }])).Message);
    }

    [Fact]
    public void Factory_must_build_the_model_of_a_model_space_module_and_refuse_a_space_without_one()
    {
        using var dir = new TempDirectory();
        using var user = new TorchSupernetFactory(new SposAsUserSpace("user-spos"), TinySpecs.Supernet(), [], TinySpecs.Train(), TinySpecs.Data(),
            dir.Path, intraOpThreads: 1);
        using var builtIn = TinySpecs.Factory(dir.Path);

        // The same model through the user path: the same space, costs and training.
        Assert.True(builtIn.Space.Choices.SequenceEqual(user.Space.Choices));
        var arch = builtIn.Space.Sample(Core.Randomness.Xoshiro256.FromSeed(3));
        Assert.Equal(builtIn.Costs.Cost(arch), user.Costs.Cost(arch));
        using (var a = user.Create("cpu"))
        using (var b = builtIn.Create("cpu"))
            Assert.Equal(b.Trainer().TrainSlice(new SupernetSlice(0, 0, 1, null, 0, 2), Ignore, CancellationToken.None).Checkpoint,
                a.Trainer().TrainSlice(new SupernetSlice(0, 0, 1, null, 0, 2), Ignore, CancellationToken.None).Checkpoint);
        Assert.Contains("no-such-space", Assert.Throws<NasUserException>(() => new TorchSupernetFactory(new NoModel(), TinySpecs.Supernet(), [], TinySpecs.Train(),
            TinySpecs.Data(), dir.Path, intraOpThreads: 1)).Message);
    }

    /// <summary>The SPOS supernet registered the way a user registers a space.</summary>
    private sealed class SposAsUserSpace(string name) : ModelSpaceModule
    {
        public override string Name => name;
        public override string Description => "SPOS through the user path";
        public override TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> CreateModel(object spec) => new SposSupernet((SupernetSpec)spec);
    }

    /// <summary>A space module that is neither built in nor a model space.</summary>
    private sealed class NoModel : SpaceModule
    {
        private readonly SposShuffleNetModule _spos = new();
        public override string Name => "no-such-space";
        public override string Description => _spos.Description;
        public override string ConfigSection => _spos.ConfigSection;
        public override object ReadSpec(ISettingsSource section) => _spos.ReadSpec(section);
        public override SearchSpace CreateSpace(object spec) => _spos.CreateSpace(spec);
    }
}
