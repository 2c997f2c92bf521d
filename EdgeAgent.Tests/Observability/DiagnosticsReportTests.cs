using EdgeAgent.Control.Timing;
using EdgeAgent.Hal.Ros2.Messages;
using EdgeAgent.Observability;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Observability;

/// <summary>What the agent says on /diagnostics: the levels against the thresholds, and the windows they are judged on.</summary>
public sealed class DiagnosticsReportTests
{
    private const double MotorHz = 1000;

    [Test]
    public void Loop_AtRateQuickWakeups_Ok()
    {
        var status = DiagnosticsReport.Loop("motor loop", "robot-1", Window(ticks: 1000, wakeupNs: 20_000, computeNs: 30_000));

        Assert.Multiple(() =>
        {
            Assert.That(status.Level, Is.EqualTo(DiagnosticLevel.Ok), status.Message);
            Assert.That(status.Name, Is.EqualTo("edge_agent: motor loop"));
            Assert.That(status.HardwareId, Is.EqualTo("robot-1"));
            Assert.That(Value(status, "rate_hz"), Is.EqualTo("1000.0"));
            Assert.That(double.Parse(Value(status, "wakeup_error_p99_us"), System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(20).Within(15).Percent);
        });
    }

    [TestCase(960, 0)] // 4 % off
    [TestCase(940, 1)] // 6 % off: ros2_control's 5 % warn
    [TestCase(1070, 1)]
    [TestCase(880, 2)] // 12 % off: ros2_control's 10 % error
    public void Loop_RateOffTarget_LevelByShare(int ticks, int expectedLevel)
    {
        var status = DiagnosticsReport.Loop("motor loop", "r", Window(ticks: ticks, wakeupNs: 20_000, computeNs: 30_000));

        var expected = (DiagnosticLevel)expectedLevel;
        Assert.That(status.Level, Is.EqualTo(expected), status.Message);
        if (expected != DiagnosticLevel.Ok)
        {
            Assert.That(status.Message, Does.StartWith("rate "));
        }
    }

    [TestCase(400_000, 0)]
    [TestCase(600_000, 1)] // p99 above half the 1 ms period
    [TestCase(1_500_000, 2)] // p99 above a whole period: deadlines missed
    public void Loop_LateWakeups_LevelByShareOfPeriod(long wakeupNs, int expectedLevel)
    {
        var status = DiagnosticsReport.Loop("motor loop", "r", Window(ticks: 1000, wakeupNs: wakeupNs, computeNs: 30_000));

        var expected = (DiagnosticLevel)expectedLevel;
        Assert.That(status.Level, Is.EqualTo(expected), status.Message);
        if (expected != DiagnosticLevel.Ok)
        {
            Assert.That(status.Message, Does.StartWith("wake-up error p99"));
        }
    }

    [TestCase(400_000, 0)]
    [TestCase(600_000, 1)]
    [TestCase(900_000, 2)]
    public void Loop_SlowCompute_LevelByShareOfPeriod(long computeNs, int expectedLevel)
    {
        var status = DiagnosticsReport.Loop("motor loop", "r", Window(ticks: 1000, wakeupNs: 20_000, computeNs: computeNs));

        var expected = (DiagnosticLevel)expectedLevel;
        Assert.That(status.Level, Is.EqualTo(expected), status.Message);
    }

    [Test]
    public void Loop_OverrunsInWindow_Warn()
    {
        var status = DiagnosticsReport.Loop("motor loop", "r", Window(ticks: 1000, wakeupNs: 20_000, computeNs: 30_000, overruns: 3));

        Assert.That(status.Level, Is.EqualTo(DiagnosticLevel.Warn));
        Assert.That(status.Message, Is.EqualTo("3 overruns in 1.0 s"));
    }

    [Test]
    public void Loop_NoTicks_ErrorNotTicking()
    {
        var status = DiagnosticsReport.Loop("balance loop", "r", new LoopWindow(100, 1.0, 0, 0, 0, 0, LatencySnapshot.Empty, LatencySnapshot.Empty));

        Assert.That(status.Level, Is.EqualTo(DiagnosticLevel.Error));
        Assert.That(status.Message, Does.StartWith("not ticking"));
    }

    [Test]
    public void Loop_SeveralProblems_TheWorstNamesTheMessage()
    {
        // 6 % off rate (WARN) and compute at 90 % of the period (ERROR): the ERROR's reason is shown.
        var status = DiagnosticsReport.Loop("motor loop", "r", Window(ticks: 940, wakeupNs: 20_000, computeNs: 900_000));

        Assert.That(status.Level, Is.EqualTo(DiagnosticLevel.Error));
        Assert.That(status.Message, Does.StartWith("compute mean 900 us"));
    }

    [TestCase("OK", 0)]
    [TestCase("LOW_BATTERY", 1)]
    [TestCase("SAFE_STOP", 2)]
    public void Safety_LevelFromState(string state, int expectedLevel)
    {
        var status = DiagnosticsReport.Safety(Status(safetyState: state));

        var expected = (DiagnosticLevel)expectedLevel;
        Assert.That(status.Level, Is.EqualTo(expected));
        Assert.That(Value(status, "state"), Is.EqualTo(state));
    }

    [Test]
    public void Hal_NotFresh_ErrorWithTheReasonAndTheDriverCounters()
    {
        var status = DiagnosticsReport.Hal(Status(halFresh: false, reason: "no fresh HAL measurement for 250 ms"), [new("rejected_stale", 7)]);

        Assert.Multiple(() =>
        {
            Assert.That(status.Level, Is.EqualTo(DiagnosticLevel.Error));
            Assert.That(status.Message, Does.Contain("no fresh HAL measurement for 250 ms"));
            Assert.That(Value(status, "rejected_stale"), Is.EqualTo("7"));
        });
    }

    [Test]
    public void Uplink_Levels()
    {
        Assert.Multiple(() =>
        {
            Assert.That(DiagnosticsReport.Uplink(Status(), 0).Level, Is.EqualTo(DiagnosticLevel.Ok));
            var open = DiagnosticsReport.Uplink(Status(breaker: "open"), 0);
            Assert.That(open.Level, Is.EqualTo(DiagnosticLevel.Warn));
            Assert.That(open.Message, Does.StartWith("breaker open"));
            Assert.That(DiagnosticsReport.Uplink(Status(), lostInWindow: 2).Level, Is.EqualTo(DiagnosticLevel.Warn), "batches lost since the last report");
            Assert.That(DiagnosticsReport.Uplink(Status(diskFull: true), 0).Level, Is.EqualTo(DiagnosticLevel.Error));
            Assert.That(DiagnosticsReport.Uplink(Status(mode: "flight_recorder", breaker: "open"), 0).Level, Is.EqualTo(DiagnosticLevel.Ok), "no uplink by design");
        });
    }

    [Test]
    public void Build_BalanceOff_FourStatusesMotorFirst()
    {
        var list = DiagnosticsReport.Build(Status(), Window(1000, 20_000, 30_000), balance: null, [], 0);

        Assert.That(list.Select(s => s.Name), Is.EqualTo(new[] { "edge_agent: motor loop", "edge_agent: safety", "edge_agent: hal", "edge_agent: uplink" }));
    }

    [Test]
    public void Tracker_ConsecutiveWindows_EachHoldsOnlyItsOwnTicksAndLatencies()
    {
        var time = new FakeTimeProvider();
        var stats = new LoopStatistics();
        var tracker = new LoopWindowTracker(MotorHz, time);

        RecordTicks(stats, count: 1000, wakeupNs: 10_000, overrunsAfter: 0);
        time.Advance(TimeSpan.FromSeconds(1));
        LoopWindow first = tracker.Next(stats);
        RecordTicks(stats, count: 500, wakeupNs: 800_000, overrunsAfter: 4);
        time.Advance(TimeSpan.FromSeconds(1));
        LoopWindow second = tracker.Next(stats);

        Assert.Multiple(() =>
        {
            Assert.That(first.RateHz, Is.EqualTo(1000).Within(0.01));
            Assert.That(first.Wakeup.Max, Is.LessThan(20_000));
            Assert.That(second.Ticks, Is.EqualTo(500));
            Assert.That(second.RateHz, Is.EqualTo(500).Within(0.01));
            Assert.That(second.Overruns, Is.EqualTo(4));
            Assert.That(second.TotalTicks, Is.EqualTo(1500));
            Assert.That(second.Wakeup.Count, Is.EqualTo(500), "the first window's wake-ups are not in the second");
            Assert.That(second.Wakeup.ValueAtPercentile(1), Is.GreaterThan(500_000));
            Assert.That(DiagnosticsReport.Loop("motor loop", "r", second).Level, Is.EqualTo(DiagnosticLevel.Error));
        });
    }

    [Test]
    public void Tracker_NoLoopThreadYet_NotTicking()
    {
        var time = new FakeTimeProvider();
        var tracker = new LoopWindowTracker(MotorHz, time);
        time.Advance(TimeSpan.FromSeconds(1));

        LoopWindow window = tracker.Next(statistics: null);

        Assert.That(DiagnosticsReport.Loop("motor loop", "r", window).Message, Is.EqualTo("not ticking: no tick in 1.0 s"));
    }

    private static void RecordTicks(LoopStatistics stats, int count, long wakeupNs, long overrunsAfter)
    {
        for (int i = 0; i < count; i++)
        {
            stats.WakeupError.Record(wakeupNs);
            stats.ComputeTime.Record(30_000);
        }

        stats.SetTick(stats.Ticks + count, stats.Overruns + overrunsAfter, 0);
    }

    private static LoopWindow Window(long ticks, long wakeupNs, long computeNs, long overruns = 0)
    {
        var wake = new LatencyHistogram();
        var compute = new LatencyHistogram();
        for (int i = 0; i < 100; i++)
        {
            wake.Record(wakeupNs);
            compute.Record(computeNs);
        }

        return new LoopWindow(MotorHz, 1.0, ticks, overruns, ticks, overruns, wake.Snapshot(), compute.Snapshot());
    }

    private static string Value(DiagnosticStatus status, string key) => status.Values.Single(kv => kv.Key == key).Value;

    private static AgentStatus Status(
        string safetyState = "OK", bool halFresh = true, string reason = "", string breaker = "closed", bool diskFull = false, string mode = "streaming") => new(
        "robot-1", "1.0.0", 1, 10, Ready: halFresh, Alive: true, reason,
        new LoopStatus(1000, 1000, 10_000, 0), null,
        new SafetyStatus(safetyState, "none", "none", "idle", safetyState, 0, 0.5, 100),
        new HalSummary("ros2", halFresh, 10_000, 0, 0.1, 90),
        new UplinkStatus(mode, "http://127.0.0.1:5000", breaker, 10, 9, 1, 0, 0, 0, 0, 0, 1 << 20, diskFull, true),
        new ReloadStatus(0, 0, "none", null, string.Empty, 0, 0),
        new CommandsStatus("off", 0, 0, 0, 0, string.Empty, null));
}
