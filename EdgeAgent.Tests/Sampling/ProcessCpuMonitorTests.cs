using EdgeAgent.Sampling;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Sampling;

public sealed class ProcessCpuMonitorTests
{
    [Test]
    public void Update_HalfACoreForOneSecond_ReturnsFifty()
    {
        var time = new FakeTimeProvider();
        TimeSpan cpu = TimeSpan.FromSeconds(10);
        var monitor = new ProcessCpuMonitor(time, () => cpu);

        time.Advance(TimeSpan.FromSeconds(1));
        cpu += TimeSpan.FromMilliseconds(500);

        Assert.That(monitor.Update(), Is.EqualTo(50.0).Within(1e-9));
    }

    [Test]
    public void Update_TwoCoresBusy_ReturnsTwoHundred()
    {
        var time = new FakeTimeProvider();
        TimeSpan cpu = TimeSpan.Zero;
        var monitor = new ProcessCpuMonitor(time, () => cpu);

        time.Advance(TimeSpan.FromSeconds(2));
        cpu += TimeSpan.FromSeconds(4);

        Assert.That(monitor.Update(), Is.EqualTo(200.0).Within(1e-9));
    }

    [Test]
    public void Update_SecondCall_MeasuresOnlySincePreviousCall()
    {
        var time = new FakeTimeProvider();
        TimeSpan cpu = TimeSpan.Zero;
        var monitor = new ProcessCpuMonitor(time, () => cpu);
        time.Advance(TimeSpan.FromSeconds(1));
        cpu += TimeSpan.FromSeconds(1);
        monitor.Update();

        time.Advance(TimeSpan.FromSeconds(1));
        cpu += TimeSpan.FromMilliseconds(100);

        Assert.Multiple(() =>
        {
            Assert.That(monitor.Update(), Is.EqualTo(10.0).Within(1e-9));
            Assert.That(monitor.LastPercent, Is.EqualTo(10.0).Within(1e-9));
        });
    }

    [Test]
    public void Update_NoTimePassed_ReturnsPreviousValue()
    {
        var time = new FakeTimeProvider();
        TimeSpan cpu = TimeSpan.Zero;
        var monitor = new ProcessCpuMonitor(time, () => cpu);
        time.Advance(TimeSpan.FromSeconds(1));
        cpu += TimeSpan.FromMilliseconds(250);
        monitor.Update();

        cpu += TimeSpan.FromSeconds(5);

        Assert.That(monitor.Update(), Is.EqualTo(25.0).Within(1e-9));
    }

    [Test]
    public void Update_RealProcessBusySpinning_ReportsCpuUse()
    {
        var monitor = new ProcessCpuMonitor(TimeProvider.System);
        long end = Environment.TickCount64 + 200;
        double sink = 0;
        while (Environment.TickCount64 < end)
        {
            sink += Math.Sqrt(sink + 1);
        }

        double percent = monitor.Update();

        Assert.That(percent, Is.GreaterThan(20.0), $"one thread spun for 200 ms (sink {sink:F0})");
    }
}
