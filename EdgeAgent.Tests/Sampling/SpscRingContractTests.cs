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
}
