namespace EdgeAgent.Hal.Sim;

/// <summary>
/// A seeded, allocation-free source of standard normal samples: xoshiro256** (seeded through SplitMix64)
/// feeding the Box–Muller transform. The same seed always yields the same sequence, on every platform.
/// </summary>
internal sealed class GaussianNoise
{
    private const double Two53Inverse = 1.0 / (1UL << 53);

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;
    private double _spare;
    private bool _hasSpare;

    public GaussianNoise(int seed)
    {
        var x = unchecked((ulong)(long)seed);
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>Returns the next sample of N(0, 1).</summary>
    public double NextStandard()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }

        // u1 in (0, 1] so that Log never sees 0.
        var u1 = 1.0 - NextUniform();
        var u2 = NextUniform();
        var radius = Math.Sqrt(-2.0 * Math.Log(u1));
        var angle = 2.0 * Math.PI * u2;
        _spare = radius * Math.Sin(angle);
        _hasSpare = true;
        return radius * Math.Cos(angle);
    }

    /// <summary>Returns a uniform sample in [0, 1).</summary>
    public double NextUniform() => (NextUInt64() >> 11) * Two53Inverse;

    private ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
