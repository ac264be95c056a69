using NasActors.Torch.Mutables;
using NasActors.Torch.Tests.Support;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Torch.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace NasActors.Torch.Tests.Spaces;

public class SposSupernetTests
{
    [Fact]
    public void Supernet_must_give_logits_for_every_candidate_in_every_block()
    {
        var spec = TinySpecs.TwoBlockStage();
        var space = SposSpace.Create(spec);
        using var net = new SposSupernet(spec);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(3, 1, 28, 28);

        foreach (var choice in space.Choices)
            foreach (var candidate in choice.Candidates)
            {
                var arch = Uniform(space, "shuffle_3x3").With(choice.Key, candidate);
                var y = net.forward(x, arch);
                Assert.Equal(new long[] { 3, 10 }, y.shape);
                Assert.True(y.isfinite().all().item<bool>());
            }
    }

    [Fact]
    public void Supernet_must_have_one_layer_choice_per_space_choice_in_order()
    {
        var spec = new SupernetSpec(16, [32, 64, 128], [2, 2, 2], SposSpace.PaperCandidates);
        using var net = new SposSupernet(spec);

        Assert.Equal(SposSpace.Create(spec).Choices.Select(c => c.Key), net.Blocks.Select(b => b.Key));
        Assert.Equal(256, net.LastWidth);
        Assert.All(net.Blocks, b => Assert.Equal(SposSpace.PaperCandidates.ToList(), b.Candidates.Select(c => c.Name).ToList()));
    }

    [Fact]
    public void Supernet_must_run_the_default_spec_on_a_random_path()
    {
        var spec = new SupernetSpec(16, [32, 64, 128], [2, 2, 2], SposSpace.PaperCandidates);
        var space = SposSpace.Create(spec);
        using var net = new SposSupernet(spec);
        using var scope = torch.NewDisposeScope();

        var y = net.forward(torch.randn(2, 1, 28, 28), space.Sample(Xoshiro256.FromSeed(5)));

        Assert.Equal(new long[] { 2, 10 }, y.shape);
    }

    internal static Architecture Uniform(SearchSpace space, string candidate) =>
        new(space.Choices.Select(c => KeyValuePair.Create(c.Key, candidate)));
}
