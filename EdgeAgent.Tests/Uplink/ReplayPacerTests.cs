using EdgeAgent.Uplink;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Uplink;

/// <summary>The replay's rate limit delivers the rate it is configured for, on a simulated and on the real clock.</summary>
public sealed class ReplayPacerTests
{
    [Test]
    public void SimulatedClock_ABurstThenExactlyTheRate()
    {
        var time = new FakeTimeProvider();
        var pacer = new ReplayPacer(time, ratePerSecond: 100, burst: 16);
        Assert.That(TakeAll(pacer), Is.EqualTo(16), "a full bucket at start");

        int taken = 0;
        for (int step = 0; step < 1000; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            taken += TakeAll(pacer);
        }

        Assert.That(taken, Is.EqualTo(100), "100 per second after the burst, not a third of it");
    }

    [Test]
    public void SimulatedClock_APauseRefillsNoMoreThanTheBurst_AndTheWaitIsUntilTheNextToken()
    {
        var time = new FakeTimeProvider();
        var pacer = new ReplayPacer(time, ratePerSecond: 50, burst: 4);
        TakeAll(pacer);
        Assert.That(pacer.TryTake(out TimeSpan wait), Is.False);
        Assert.That(wait, Is.EqualTo(TimeSpan.FromMilliseconds(20)).Within(TimeSpan.FromMilliseconds(0.01)), "one token per 20 ms at 50/s");

        time.Advance(TimeSpan.FromMinutes(10));
        Assert.That(TakeAll(pacer), Is.EqualTo(4), "ten idle minutes fill the bucket, no more");
    }

    [Test]
    public async Task RealClock_TakenAsFastAsItAllows_DeliversTheConfiguredRate()
    {
        // The limiter this replaced refilled from "time since the last clock read" and lost the time between two
        // reads: asked this way it delivered 2-30 % of the rate. Loose bound: a loaded machine only delays the waits.
        const double Rate = 2000;
        var pacer = new ReplayPacer(TimeProvider.System, Rate, burst: 16);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int taken = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(1))
        {
            if (pacer.TryTake(out TimeSpan wait))
            {
                taken++;
            }
            else
            {
                await Task.Delay(wait);
            }
        }

        double elapsed = clock.Elapsed.TotalSeconds;
        Assert.That(taken, Is.GreaterThanOrEqualTo(0.8 * Rate * elapsed).And.LessThanOrEqualTo((Rate * elapsed) + 16 + 1), $"{taken} in {elapsed:F3} s");
    }

    private static int TakeAll(ReplayPacer pacer)
    {
        int n = 0;
        while (pacer.TryTake(out _))
        {
            n++;
        }

        return n;
    }
}
