namespace EdgeAgent.Tests.Sampling;

/// <summary>
/// A queue payload that carries its index and a checksum over all of its fields, so a consumer detects a
/// torn copy (half of one write, half of another) as well as a lost or repeated index. 64 bytes: a copy spans
/// a whole cache line and is many instructions long, so a torn copy is a real possibility to catch.
/// </summary>
internal readonly record struct TestItem(long Index, long A, long B, long C, long D, long E, long F, long Checksum)
{
    public bool IsIntact => Checksum == Compute(Index, A, B, C, D, E, F) && A == Index * 3 && F == Index + 1_000_000_007L;

    public static TestItem For(long index)
    {
        long a = index * 3;
        long b = ~index;
        long c = index ^ 0x5A5A_5A5A_5A5A_5A5AL;
        long d = index * 7919;
        long e = -index;
        long f = index + 1_000_000_007L;
        return new TestItem(index, a, b, c, d, e, f, Compute(index, a, b, c, d, e, f));
    }

    private static long Compute(long index, long a, long b, long c, long d, long e, long f) =>
        HashCode.Combine(index, a, b, c, d, e, f) ^ (index * 31);
}
