using System.Security.Cryptography;
using System.Text;
using CsCheck;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Tests.Support;

namespace NasActors.Core.Tests.SearchSpaces;

public class ArchitectureTests
{
    private static Architecture Arch(params (string Key, string Value)[] kvs) =>
        new(kvs.Select(kv => KeyValuePair.Create(kv.Key, kv.Value)));

    [Fact]
    public void Architecture_must_build_the_canonical_key_in_ordinal_key_order()
    {
        var a = Arch(("b", "2"), ("a", "x"), ("B", "y"), ("normal/input_2", "0,3"));
        // Ordinal: upper case sorts before lower case.
        Assert.Equal("B=y;a=x;b=2;normal/input_2=0,3", a.CanonicalKey);
        Assert.Equal(a.CanonicalKey, a.ToString());
        Assert.Equal(["B", "a", "b", "normal/input_2"], a.Choices.Keys);
    }

    [Fact]
    public void Architecture_must_have_a_canonical_key_and_hash_independent_of_insertion_order()
    {
        Gen.Select(Gens.SpaceAndArch(), Gen.Long, (sa, seed) => (sa.Arch, seed)).Sample((arch, seed) =>
        {
            var pairs = arch.Choices.ToList();
            SearchDriver.Shuffle(pairs, Xoshiro256.FromSeed(seed));
            var shuffled = new Architecture(pairs);
            Assert.Equal(arch.CanonicalKey, shuffled.CanonicalKey);
            Assert.Equal(arch.Hash, shuffled.Hash);
            Assert.Equal(arch, shuffled);
            Assert.Equal(arch.GetHashCode(), shuffled.GetHashCode());
        }, iter: 200);
    }

    [Fact]
    public void Architecture_hash_must_be_the_first_16_hex_digits_of_sha256_of_the_canonical_key()
    {
        var a = Arch(("stage0/block0", "shuffle_3x3"), ("stage0/block1", "xception_3x3"));
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("stage0/block0=shuffle_3x3;stage0/block1=xception_3x3")))[..16];
        Assert.Equal(expected, a.Hash);
        Assert.Matches("^[0-9a-f]{16}$", a.Hash);
        Assert.NotEqual(a.Hash, a.With("stage0/block1", "shuffle_5x5").Hash);
    }

    [Fact]
    public void Architecture_must_be_equal_iff_all_choices_are_equal()
    {
        var a = Arch(("x", "1"), ("y", "conv"));
        Assert.True(a.Equals(Arch(("y", "conv"), ("x", "1"))));
        Assert.True(a.Equals((object)Arch(("y", "conv"), ("x", "1"))));
        Assert.False(a.Equals(Arch(("x", "1"), ("y", "Conv"))));
        Assert.False(a.Equals(Arch(("x", "1"))));
        Assert.False(a.Equals(Arch(("x", "1"), ("y", "conv"), ("z", "0"))));
        Assert.False(a.Equals(null));
        Assert.False(a.Equals("x=1;y=conv"));
        var set = new HashSet<Architecture> { a, Arch(("y", "conv"), ("x", "1")), Arch(("x", "2"), ("y", "conv")) };
        Assert.Equal(2, set.Count);
    }

    [Fact]
    public void Architecture_With_must_return_a_new_architecture_and_leave_the_original_unchanged()
    {
        var a = Arch(("x", "1"), ("y", "conv"));
        var b = a.With("y", "pool");
        var c = a.With("z", "new");
        Assert.Equal("x=1;y=conv", a.CanonicalKey);
        Assert.Equal("x=1;y=pool", b.CanonicalKey);
        Assert.Equal("x=1;y=conv;z=new", c.CanonicalKey);
        Assert.Equal("pool", b["y"]);
        Assert.Equal(a, a.With("y", "conv"));
    }

    [Fact]
    public void Architecture_indexer_must_return_the_chosen_value()
    {
        var a = Arch(("normal/input_2", "0,2"), ("op", "skip"));
        Assert.Equal("0,2", a["normal/input_2"]);
        Assert.Equal("skip", a["op"]);
        Assert.Throws<KeyNotFoundException>(() => a["missing"]);
    }

    [Fact]
    public void Architecture_must_give_distinct_canonical_keys_to_distinct_architectures_of_a_space()
    {
        Gens.Space(1, 4).Sample(s =>
        {
            var all = Gens.AllArchitectures(s).ToList();
            Assert.Equal(all.Count, all.Select(a => a.CanonicalKey).Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(all.Count, all.Distinct().Count());
        }, iter: 50, print: Gens.Describe);
    }
}
