using System.Diagnostics;
using EdgeAgent.Hal.Ros2.Messages;

namespace EdgeAgent.Tests.Hal.Ros2.Messages;

/// <summary>Seeded random mutations of the Cyclone vectors: every decode returns a status, nothing throws.</summary>
[TestFixture]
public sealed class CdrFuzzTests
{
    private const int Iterations = 100_000;
    private static readonly uint[] Interesting = [0, 1, 2, 3, 4, 7, 8, 64, 65, 255, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF8];

    [Test]
    public void Decode_RandomMutations_ReturnsStatusWithoutException()
    {
        var random = new Random(20260124);
        var vectors = CdrSamples.All().SelectMany(v => new[] { (v.Le, v.Decode), (v.Be, v.Decode) }).ToArray();
        var buffer = new byte[4096];
        var counts = new int[Enum.GetValues<CdrStatus>().Length];
        var stopwatch = Stopwatch.StartNew();

        for (int i = 0; i < Iterations; i++)
        {
            var (source, decode) = vectors[random.Next(vectors.Length)];
            source.CopyTo(buffer, 0);
            int length = source.Length;
            int mutations = random.Next(1, 5);
            for (int m = 0; m < mutations; m++)
            {
                int at = random.Next(length);
                switch (random.Next(5))
                {
                    case 0:
                        buffer[at] ^= (byte)(1 << random.Next(8));
                        break;
                    case 1:
                        buffer[at] = (byte)random.Next(256);
                        break;
                    case 2:
                        at &= ~3;
                        if (at + 4 <= length)
                        {
                            BitConverter.TryWriteBytes(buffer.AsSpan(at), Interesting[random.Next(Interesting.Length)]);
                        }

                        break;
                    case 3:
                        length = random.Next(length + 1);
                        break;
                    default:
                        int extra = random.Next(1, 16);
                        random.NextBytes(buffer.AsSpan(length, extra));
                        length += extra;
                        break;
                }

                if (length == 0)
                {
                    break;
                }
            }

            var status = decode(buffer.AsSpan(0, length));
            counts[(int)status]++;
        }

        stopwatch.Stop();
        TestContext.Out.WriteLine($"{Iterations} mutations in {stopwatch.ElapsedMilliseconds} ms: "
            + string.Join(", ", Enum.GetValues<CdrStatus>().Select(s => $"{s}={counts[(int)s]}")));
        Assert.That(counts.Sum(), Is.EqualTo(Iterations));
        Assert.That(counts[(int)CdrStatus.Truncated], Is.Positive);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void EncodeDecode_RandomJointStates_RoundTrip()
    {
        var random = new Random(7);
        var names = Enumerable.Range(0, 64).Select(i => new string('j', 1 + (i % 9)) + i).ToArray();
        var message = new JointStateMessage(names);
        var back = new JointStateMessage(names);
        var buffer = new byte[16384];
        var again = new byte[16384];
        for (int i = 0; i < 2000; i++)
        {
            message.Header.Stamp = new RosTime(random.Next(int.MinValue, int.MaxValue), (uint)random.Next());
            message.Header.FrameId.Set(new string('f', random.Next(0, 9)));
            int count = random.Next(0, 65);
            message.SetJointIndices(Enumerable.Range(0, count).Select(_ => random.Next(names.Length)).ToArray());
            message.Position.Set(Enumerable.Range(0, random.Next(0, 65)).Select(_ => random.NextDouble()).ToArray());
            message.Velocity.Set(Enumerable.Range(0, random.Next(0, 2) * count).Select(_ => random.NextDouble()).ToArray());
            message.Effort.Set(Enumerable.Range(0, random.Next(0, 65)).Select(_ => -random.NextDouble()).ToArray());

            Assert.That(message.Encode(buffer, out int written), Is.EqualTo(CdrStatus.Ok));
            Assert.That(written % 4, Is.Zero);
            Assert.That(JointStateMessage.Decode(buffer.AsSpan(0, written), back), Is.EqualTo(CdrStatus.Ok));
            Assert.That(back.Encode(again, out int rewritten), Is.EqualTo(CdrStatus.Ok));
            Assert.That(again.AsSpan(0, rewritten).SequenceEqual(buffer.AsSpan(0, written)), Is.True, $"iteration {i}");
        }
    }
}
