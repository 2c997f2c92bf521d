using EdgeAgent.Control.Timing;
using EdgeAgent.Sampling;

namespace EdgeAgent.Tests.Sampling;

internal sealed class SpscRingContractTests : QueueContractTests<SpscRing<TestItem>>
{
    [TestCase(0)]
    [TestCase(-4)]
    [TestCase(3)]
    [TestCase(1000)]
    [TestCase(int.MaxValue)]
    public void Constructor_CapacityNotPowerOfTwo_ThrowsArgumentException(int capacity)
    {
        Assert.That(() => new SpscRing<TestItem>(capacity), Throws.ArgumentException.With.Message.Contains("power of two"));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(1024)]
    public void Constructor_PowerOfTwo_HasThatCapacity(int capacity)
    {
        Assert.That(new SpscRing<TestItem>(capacity).Capacity, Is.EqualTo(capacity));
    }

    [Test]
    public void TryWrite_CapacityOneFull_KeepsOnlyNewest()
    {
        var ring = new SpscRing<TestItem>(1);
        ring.TryWrite(TestItem.For(1));
        ring.TryWrite(TestItem.For(2));

        Assert.Multiple(() =>
        {
            Assert.That(ring.TryRead(out TestItem item), Is.True);
            Assert.That(item.Index, Is.EqualTo(2));
            Assert.That(ring.Dropped, Is.EqualTo(1));
            Assert.That(ring.TryRead(out _), Is.False);
        });
    }

    protected override ITelemetryQueue<TestItem> Create(int capacity) => new SpscRing<TestItem>(capacity);

    [Test]
    public void Constructor_PrefaultsTheSlots_SoTheProducerTakesNoPageFaults()
    {
        // 16 Ki 600-byte samples: ~2400 pages. Untouched, the first lap faults once per page on the writer.
        var ring = new SpscRing<TelemetrySample>(1 << 14);
        long pages = (long)ring.Capacity * System.Runtime.CompilerServices.Unsafe.SizeOf<TelemetrySample>() / Environment.SystemPageSize;
        var sample = default(TelemetrySample);
        ring.TryWrite(in sample);   // the first call's one-time work, outside the count

        ThreadCounters before = LinuxNative.ThreadCountersNow();
        for (int i = 1; i < ring.Capacity; i++)
        {
            sample.MonotonicNs = i;
            ring.TryWrite(in sample);
        }

        long faults = (LinuxNative.ThreadCountersNow() - before).MinorFaults;
        Assert.That(faults, Is.LessThan(pages / 10), $"{faults} page faults writing {pages} pages' worth of slots");
    }
}
