using System.Diagnostics;
using EdgeAgent.Control.Timing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Control.Timing;

[TestFixture]
[Category("RealTime")]
[NonParallelizable]
public sealed class LoopThreadTests
{
    private static LoopSettings Settings(TimeSpan period, int priority = 80) =>
        new("test", period, priority, -1, LockMemory: false, SpinMargin: TimeSpan.FromMicroseconds(100), TimerSlack: TimeSpan.FromMicroseconds(1));

    private sealed class CountingBody : ILoopBody
    {
        private long _count;

        public long Count => Volatile.Read(ref _count);

        public void Tick(in LoopTick tick) => Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Records every tick in a preallocated array; sleeps past 2.5 periods on one tick.</summary>
    // The slow tick is the slowTick-th one run, not a tick index: on a loaded machine a stall before it can skip
    // an index, and the test must still see its slow tick.
    private sealed class RecordingBody(int capacity, int slowTick, long periodNs) : ILoopBody
    {
        private readonly LoopTick[] _ticks = new LoopTick[capacity];
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public int SlowTick => slowTick;

        public LoopTick this[int i] => _ticks[i];

        public void Tick(in LoopTick tick)
        {
            if (_count < _ticks.Length)
            {
                _ticks[_count] = tick;
                Volatile.Write(ref _count, _count + 1);
            }

            if (_count - 1 == slowTick)
            {
                _ = MonotonicClock.SleepUntil(tick.DeadlineNs + (periodNs * 5 / 2));
            }
        }
    }

    private sealed class ThrowingBody : ILoopBody
    {
        public void Tick(in LoopTick tick)
        {
            if (tick.Index == 10)
            {
                throw new InvalidOperationException("boom");
            }
        }
    }

    private static void WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!condition() && watch.Elapsed < timeout)
        {
            Thread.Sleep(5);
        }
    }

    [Test]
    public void Start_OneKilohertzForOneSecond_RunsRoughlyAtTheRate()
    {
        var body = new CountingBody();
        using var loop = new LoopThread(Settings(TimeSpan.FromMilliseconds(1)), body, NullLogger.Instance);

        loop.Start();
        Thread.Sleep(1000);
        loop.Stop();

        Assert.That(body.Count, Is.InRange(900, 1100));
        Assert.That(loop.Statistics.Ticks, Is.EqualTo(body.Count));
        Assert.That(loop.Statistics.MeasuredRateHz, Is.InRange(900.0, 1100.0));
        Assert.That(loop.Statistics.WakeupError.Count, Is.EqualTo(body.Count));
        Assert.That(loop.Report.ThreadId, Is.Not.Zero);
    }

    [Test]
    public void Stop_WhileRunning_JoinsPromptlyAndIsIdempotent()
    {
        using var loop = new LoopThread(Settings(TimeSpan.FromMilliseconds(10)), new CountingBody(), NullLogger.Instance);
        loop.Start();
        Thread.Sleep(50);

        var watch = Stopwatch.StartNew();
        var stopped = loop.Stop();
        watch.Stop();

        Assert.That(stopped, Is.True);
        Assert.That(loop.IsRunning, Is.False);
        Assert.That(watch.ElapsedMilliseconds, Is.LessThan(200));
        Assert.That(loop.Stop(), Is.True);
    }

    [Test]
    public void Tick_BodyRunsPastTwoAndAHalfPeriodsOnce_CountsTwoOverrunsAndSkipsWithoutBurst()
    {
        var periodNs = 2_000_000L;
        var body = new RecordingBody(64, slowTick: 5, periodNs);
        using var loop = new LoopThread(Settings(TimeSpan.FromMilliseconds(2)), body, NullLogger.Instance);

        loop.Start();
        WaitFor(() => body.Count >= 20, TimeSpan.FromSeconds(5));
        loop.Stop();

        // Relative to the slow tick: a stall of a loaded machine elsewhere in the run adds overruns of its own.
        var slow = body[body.SlowTick];
        var next = body[body.SlowTick + 1];
        Assert.That(loop.Statistics.Overruns, Is.GreaterThanOrEqualTo(2));
        Assert.That(next.Index - slow.Index, Is.EqualTo(3), "the two periods the slow tick ran into are skipped");
        Assert.That(next.DeadlineNs - slow.DeadlineNs, Is.EqualTo(3 * periodNs));
        Assert.That(next.Overruns - slow.Overruns, Is.EqualTo(2));
        Assert.That(next.WakeNs, Is.GreaterThanOrEqualTo(next.DeadlineNs));
        for (var i = body.SlowTick + 2; i < 20; i++)
        {
            // No burst: every tick has a deadline of its own, a whole number of periods after the last, and
            // never runs before it.
            long step = body[i].DeadlineNs - body[i - 1].DeadlineNs;
            Assert.That(step, Is.GreaterThanOrEqualTo(periodNs), "no burst after the skip");
            Assert.That(step % periodNs, Is.Zero, "deadlines stay on the period grid");
            Assert.That(body[i].WakeNs, Is.GreaterThanOrEqualTo(body[i].DeadlineNs));
        }
    }

    [Test]
    public void Tick_BodyThrows_CallsOnFaultAndTheThreadEnds()
    {
        Exception? seen = null;
        using var faulted = new ManualResetEventSlim();
        using var loop = new LoopThread(Settings(TimeSpan.FromMilliseconds(1)), new ThrowingBody(), NullLogger.Instance, ex =>
        {
            seen = ex;
            faulted.Set();
        });

        loop.Start();

        Assert.That(faulted.Wait(TimeSpan.FromSeconds(5)), Is.True);
        WaitFor(() => !loop.IsRunning, TimeSpan.FromSeconds(2));
        Assert.That(loop.IsRunning, Is.False);
        Assert.That(seen, Is.TypeOf<InvalidOperationException>());
        Assert.That(loop.Fault, Is.SameAs(seen));
        Assert.That(loop.Statistics.Ticks, Is.EqualTo(10));
        Assert.That(loop.Stop(), Is.True);
    }

    [Test]
    public void Tick_AfterWarmup_AllocatesNothing()
    {
        var body = new CountingBody();
        using var loop = new LoopThread(Settings(TimeSpan.FromMicroseconds(250)), body, NullLogger.Instance);

        loop.Start();
        WaitFor(() => loop.Statistics.Ticks >= LoopStatistics.WarmupTicks + 2_500, TimeSpan.FromSeconds(10));
        loop.Stop();

        Assert.That(loop.Statistics.Ticks, Is.GreaterThanOrEqualTo(LoopStatistics.WarmupTicks + 2_000));
        Assert.That(loop.Statistics.AllocatedBytes, Is.Zero);
    }

    [Test]
    public void Start_Twice_Throws()
    {
        using var loop = new LoopThread(Settings(TimeSpan.FromMilliseconds(1)), new CountingBody(), NullLogger.Instance);
        loop.Start();

        Assert.That(loop.Start, Throws.InvalidOperationException);
    }

    [Test]
    public void ThreadCountersNow_CountsThisThreadsSleeps()
    {
        ThreadCounters before = LinuxNative.ThreadCountersNow();
        for (var i = 0; i < 20; i++)
        {
            Thread.Sleep(1);
        }

        ThreadCounters slept = LinuxNative.ThreadCountersNow() - before;
        Assert.That(slept.VoluntarySwitches, Is.GreaterThanOrEqualTo(20), "each sleep gives up the CPU");
        Assert.That(slept.MajorFaults, Is.GreaterThanOrEqualTo(0));
    }
}
