using EdgeAgent.Hal;
using EdgeAgent.Hal.Ros2;

namespace EdgeAgent.Tests.Hal.Ros2.Driver;

public class LatestStateBufferTests
{
    [Test]
    public void Acquire_NothingPublished_ReturnsSequenceZero()
    {
        var buffer = new LatestStateBuffer(2);

        Assert.That(buffer.Acquire().Sequence, Is.Zero);
    }

    [Test]
    public void Acquire_TwoPublishes_ReturnsLatest()
    {
        var buffer = new LatestStateBuffer(1);
        buffer.Back.Sequence = 1;
        buffer.Publish();
        buffer.Back.Sequence = 2;
        buffer.Publish();

        Assert.That(buffer.Acquire().Sequence, Is.EqualTo(2));
        Assert.That(buffer.Acquire().Sequence, Is.EqualTo(2));
    }

    [Test]
    public void Acquire_ConcurrentWriter_NeverTornAndNeverGoesBack()
    {
        const int Joints = 8;
        var buffer = new LatestStateBuffer(Joints);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var writer = new Thread(() =>
        {
            long seq = 0;
            while (!stop.IsCancellationRequested)
            {
                var back = buffer.Back;
                seq++;
                Array.Fill(back.Position, seq);
                Array.Fill(back.Effort, -seq);
                back.Sequence = seq;
                buffer.Publish();
            }
        });
        writer.Start();

        long torn = 0, backwards = 0, last = 0, reads = 0;
        while (!stop.IsCancellationRequested)
        {
            var state = buffer.Acquire();
            long seq = state.Sequence;
            foreach (var p in state.Position)
            {
                torn += p == seq ? 0 : 1;
            }

            foreach (var e in state.Effort)
            {
                torn += e == -seq ? 0 : 1;
            }

            backwards += seq < last ? 1 : 0;
            last = seq;
            reads++;
        }

        Assert.That(writer.Join(TimeSpan.FromSeconds(5)), Is.True);
        Assert.That(torn, Is.Zero);
        Assert.That(backwards, Is.Zero);
        Assert.That(reads, Is.GreaterThan(0));
        Assert.That(last, Is.GreaterThan(0));
    }
}
