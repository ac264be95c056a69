using CsCheck;
using NasActors.Core.Randomness;

namespace NasActors.Core.Tests.Randomness;

public class Xoshiro256Tests
{
    [Fact]
    public void Xoshiro256_must_match_the_reference_xoshiro256starstar_output()
    {
        // Reference C implementation (Blackman & Vigna) from state {1, 2, 3, 4}.
        var rng = new Xoshiro256(new RngState(1, 2, 3, 4));
        ulong[] expected = [11520UL, 0UL, 1509978240UL, 1215971899390074240UL, 1216172134540287360UL, 607988272756665600UL];
        Assert.Equal(expected, Enumerable.Range(0, expected.Length).Select(_ => rng.NextUInt64()));
    }

    [Fact]
    public void Xoshiro256_must_expand_a_seed_with_splitmix64()
    {
        // SplitMix64 from 0 (reference values).
        Assert.Equal(new RngState(0xe220a8397b1dcdafUL, 0x6e789e6aa1b965f4UL, 0x06c45d188009454fUL, 0xf88bb8a8724c81ecUL), Xoshiro256.StateFromSeed(0));
        var rng = Xoshiro256.FromSeed(42);
        Assert.Equal([1546998764402558742UL, 6990951692964543102UL, 12544586762248559009UL], new[] { rng.NextUInt64(), rng.NextUInt64(), rng.NextUInt64() });
    }

    [Fact]
    public void Xoshiro256_must_continue_the_same_stream_from_its_saved_state()
    {
        Gen.Select(Gen.Long, Gen.Int[0, 200], (seed, skip) => (seed, skip)).Sample((seed, skip) =>
        {
            var a = Xoshiro256.FromSeed(seed);
            for (var i = 0; i < skip; i++) a.NextUInt64();
            var saved = a.State;
            var expected = Enumerable.Range(0, 50).Select(i => (a.NextUInt64(), a.NextInt(i + 1), a.NextDouble())).ToArray();
            var b = new Xoshiro256(saved);
            var actual = Enumerable.Range(0, 50).Select(i => (b.NextUInt64(), b.NextInt(i + 1), b.NextDouble())).ToArray();
            Assert.Equal(expected, actual);
            Assert.Equal(a.State, b.State);
        }, iter: 200);
    }

    [Fact]
    public void Xoshiro256_State_must_be_a_snapshot_not_a_live_view()
    {
        var rng = Xoshiro256.FromSeed(5);
        var before = rng.State;
        rng.NextUInt64();
        Assert.NotEqual(before, rng.State);
        Assert.Equal(Xoshiro256.StateFromSeed(5), before);
    }

    [Fact]
    public void Xoshiro256_must_be_deterministic_per_seed_and_differ_between_seeds()
    {
        static ulong[] Stream(long seed) { var r = Xoshiro256.FromSeed(seed); return [.. Enumerable.Range(0, 8).Select(_ => r.NextUInt64())]; }
        Assert.Equal(Stream(123), Stream(123));
        Assert.NotEqual(Stream(123), Stream(124));
        Assert.NotEqual(Stream(0), Stream(-1));
        Assert.NotEqual(Stream(long.MinValue), Stream(long.MaxValue));
    }

    [Fact]
    public void Xoshiro256_NextInt_must_stay_within_bounds()
    {
        Gen.Select(Gen.Long, Gen.Int[1, int.MaxValue], (seed, n) => (seed, n)).Sample((seed, n) =>
        {
            var rng = Xoshiro256.FromSeed(seed);
            for (var i = 0; i < 100; i++)
            {
                var v = rng.NextInt(n);
                Assert.InRange(v, 0, n - 1);
            }
        }, iter: 500);
    }

    [Fact]
    public void Xoshiro256_NextInt_of_one_must_always_be_zero()
    {
        var rng = Xoshiro256.FromSeed(9);
        Assert.All(Enumerable.Range(0, 100).Select(_ => rng.NextInt(1)), v => Assert.Equal(0, v));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Xoshiro256_NextInt_must_reject_a_non_positive_bound(int n)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Xoshiro256.FromSeed(1).NextInt(n));
    }

    [Theory]
    [InlineData(2, 1L)]
    [InlineData(7, 2L)]
    [InlineData(10, 3L)]
    [InlineData(37, 4L)]
    public void Xoshiro256_NextInt_must_be_roughly_uniform(int n, long seed)
    {
        var rng = Xoshiro256.FromSeed(seed);
        var counts = new int[n];
        var draws = 2_000 * n;
        for (var i = 0; i < draws; i++) counts[rng.NextInt(n)]++;
        double expected = draws / (double)n, chi2 = counts.Sum(o => (o - expected) * (o - expected) / expected);
        // Loose bound: mean (n-1), sd sqrt(2(n-1)); 6 sd above the mean never happens by chance with a sound generator.
        var bound = (n - 1) + 6 * Math.Sqrt(2.0 * (n - 1)) + 5;
        Assert.True(chi2 < bound, $"chi-square {chi2:F1} ≥ {bound:F1} for n={n}: {string.Join(",", counts)}");
    }

    [Fact]
    public void Xoshiro256_NextInt_must_reach_the_top_of_a_large_range()
    {
        // Halves of [0, 3·2^29) are equally likely: a generator using only low bits or a wrong multiply would skew this.
        const int n = 3 << 29;
        var rng = Xoshiro256.FromSeed(11);
        var upper = Enumerable.Range(0, 20_000).Count(_ => rng.NextInt(n) >= n / 2);
        Assert.InRange(upper, 9_500, 10_500);
    }

    [Fact]
    public void Xoshiro256_NextDouble_must_be_in_the_unit_interval_with_mean_one_half()
    {
        var rng = Xoshiro256.FromSeed(17);
        var xs = Enumerable.Range(0, 50_000).Select(_ => rng.NextDouble()).ToArray();
        Assert.All(xs, x => Assert.InRange(x, 0.0, Math.BitDecrement(1.0)));
        Assert.InRange(xs.Average(), 0.49, 0.51);
        Assert.InRange(xs.Count(x => x < 0.1), 4_500, 5_500);
    }

    [Fact]
    public void Xoshiro256_Derive_must_be_deterministic_and_non_negative()
    {
        Gen.Select(Gen.Long, Gen.Long.Array[0, 5], (seed, parts) => (seed, parts)).Sample((seed, parts) =>
        {
            var d = Xoshiro256.Derive(seed, parts);
            Assert.Equal(d, Xoshiro256.Derive(seed, [.. parts]));
            Assert.True(d >= 0);
        }, iter: 300);
    }

    [Fact]
    public void Xoshiro256_Derive_must_be_sensitive_to_seed_every_part_order_and_arity()
    {
        var d = Xoshiro256.Derive(42, 3, 7);
        Assert.NotEqual(d, Xoshiro256.Derive(43, 3, 7));
        Assert.NotEqual(d, Xoshiro256.Derive(42, 4, 7));
        Assert.NotEqual(d, Xoshiro256.Derive(42, 3, 8));
        Assert.NotEqual(d, Xoshiro256.Derive(42, 7, 3));
        Assert.NotEqual(d, Xoshiro256.Derive(42, 3, 7, 0));
        Assert.NotEqual(Xoshiro256.Derive(42), Xoshiro256.Derive(42, 0));
        Assert.NotEqual(Xoshiro256.Derive(42, 0), Xoshiro256.Derive(42, 0, 0));
        Assert.NotEqual(42, d);
    }

    [Fact]
    public void Xoshiro256_Derive_must_not_collide_on_a_grid_of_rounds_and_slots()
    {
        var seen = new HashSet<long>();
        for (long seed = 0; seed < 10; seed++)
            for (long round = 0; round < 50; round++)
                for (long slot = 0; slot < 20; slot++)
                    Assert.True(seen.Add(Xoshiro256.Derive(seed, round, slot)), $"collision at ({seed}, {round}, {slot})");
    }

    [Fact]
    public void Xoshiro256_Derive_must_decorrelate_neighbouring_streams()
    {
        var a = Xoshiro256.FromSeed(Xoshiro256.Derive(1, 0));
        var b = Xoshiro256.FromSeed(Xoshiro256.Derive(1, 1));
        var same = Enumerable.Range(0, 1000).Count(_ => a.NextInt(2) == b.NextInt(2));
        Assert.InRange(same, 400, 600);
    }

    // Golden values from an independent Python implementation (Lemire's bounded ints, 53-bit doubles, SplitMix-chained Derive).
    // Persisted searches replay these streams: changing any of them changes what a resumed experiment proposes.
    [Fact]
    public void Xoshiro256_NextInt_must_keep_its_golden_stream()
    {
        var rng = Xoshiro256.FromSeed(42);
        Assert.Equal([0, 3, 6, 9, 9, 7, 7, 8, 7, 5, 6, 2], Enumerable.Range(0, 12).Select(_ => rng.NextInt(10)));
        var big = Xoshiro256.FromSeed(7);
        Assert.Equal([700576487, 278751231, 839627467, 981097731], Enumerable.Range(0, 4).Select(_ => big.NextInt(1_000_000_007)));
    }

    [Fact]
    public void Xoshiro256_NextDouble_must_keep_its_golden_stream()
    {
        var rng = Xoshiro256.FromSeed(3);
        Assert.Equal([0.690638295117788, 0.6405810067354607, 0.21826237328256315], Enumerable.Range(0, 3).Select(_ => rng.NextDouble()));
    }

    [Fact]
    public void Xoshiro256_Derive_must_keep_its_golden_values()
    {
        Assert.Equal(6839728766377637706L, Xoshiro256.Derive(42));
        Assert.Equal(3249569196055692452L, Xoshiro256.Derive(42, 3, 7));
        Assert.Equal(3451420222297666890L, Xoshiro256.Derive(-1, 0, 1, 2));
        Assert.Equal(1598854103424829861L, Xoshiro256.Derive(0, -5));
    }
}
