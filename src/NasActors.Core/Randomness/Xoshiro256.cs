namespace NasActors.Core.Randomness;

/// <summary>
/// xoshiro256** (Blackman and Vigna): small, fast, with a state we can persist exactly.
/// System.Random's state is not exposed, so it cannot be used where a search must resume bit-for-bit.
/// </summary>
public sealed class Xoshiro256
{
    private ulong _s0, _s1, _s2, _s3;

    public Xoshiro256(RngState state) => (_s0, _s1, _s2, _s3) = (state.S0, state.S1, state.S2, state.S3);

    public static Xoshiro256 FromSeed(long seed) => new(StateFromSeed(seed));

    /// <summary>Expands a seed with SplitMix64, as the xoshiro authors recommend.</summary>
    public static RngState StateFromSeed(long seed)
    {
        var x = unchecked((ulong)seed);
        return new RngState(SplitMix(ref x), SplitMix(ref x), SplitMix(ref x), SplitMix(ref x));
    }

    /// <summary>A stateless hash of several integers: a derived seed for (seed, round, slot, ...) streams.</summary>
    public static long Derive(long seed, params long[] parts)
    {
        var x = unchecked((ulong)seed);
        var h = SplitMix(ref x);
        foreach (var p in parts)
        {
            x = h ^ unchecked((ulong)p * 0xD6E8FEB86659FD93UL);
            h = SplitMix(ref x);
        }
        return unchecked((long)(h >> 1));
    }

    private static ulong SplitMix(ref ulong x)
    {
        x = unchecked(x + 0x9E3779B97F4A7C15UL);
        var z = x;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    public RngState State => new(_s0, _s1, _s2, _s3);

    public ulong NextUInt64()
    {
        var result = unchecked(RotL(_s1 * 5, 7) * 9);
        var t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotL(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, n) without modulo bias (Lemire's method with rejection).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        var bound = (ulong)n;
        var threshold = unchecked(0UL - bound) % bound;
        while (true)
        {
            var r = NextUInt64();
            var m = Math.BigMul(r, bound, out var low);
            if (low >= threshold) return (int)m;
        }
    }

    /// <summary>Uniform in [0, 1) with 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));
}
