using EdgeAgent.Control;

namespace EdgeAgent.Tests.Control;

public sealed class MailboxTests
{
    [Test]
    public void TryRead_NothingPublished_ReturnsFalse()
    {
        var box = new Mailbox<Pair>();

        Assert.That(box.TryRead(out _), Is.False);
    }

    [Test]
    public void TryRead_AfterPublish_ReturnsLatest()
    {
        var box = new Mailbox<Pair>();
        box.Publish(new Pair(1, -1, 1));
        box.Publish(new Pair(2, -2, 2));

        Assert.Multiple(() =>
        {
            Assert.That(box.TryRead(out Pair value), Is.True);
            Assert.That(value, Is.EqualTo(new Pair(2, -2, 2)));
        });
    }

    [Test]
    [Category("Stress")]
    public void TryRead_ConcurrentWriter_NeverTornAndNeverGoesBack()
    {
        var box = new Mailbox<Pair>();
        const long writes = 2_000_000;
        var writer = new Thread(() =>
        {
            for (long k = 1; k <= writes; k++)
            {
                box.Publish(new Pair(k, -k, k * 3));
            }
        });
        long torn = 0;
        long backwards = 0;
        long reads = 0;
        long last = 0;
        writer.Start();
        while (writer.IsAlive || last < writes)
        {
            if (box.TryRead(out Pair p))
            {
                reads++;
                if (p.A != -p.B || p.C != p.A * 3)
                {
                    torn++;
                }

                if (p.A < last)
                {
                    backwards++;
                }

                last = p.A;
            }
        }

        writer.Join();
        Assert.Multiple(() =>
        {
            Assert.That(reads, Is.GreaterThan(0));
            Assert.That(torn, Is.Zero);
            Assert.That(backwards, Is.Zero);
        });
    }

    private readonly record struct Pair(long A, long B, long C);
}
